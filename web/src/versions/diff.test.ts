// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { countChanges, parseUnified, sideBySide } from './diff';

const DIFF = `Index: index.html
===================================================================
--- index.html
+++ index.html
@@ -1,4 +1,4 @@
 <h1>Bakery</h1>
-<p>Open 8-18</p>
-<p>Closed Sunday</p>
+<p>Open 7-19</p>
 <footer></footer>
+<script src="a.js"></script>
@@ -10,2 +10,3 @@ section
 x
+y
 z
\\ No newline at end of file
`;

describe('parseUnified', () => {
  it('numbers the lines of each hunk on both sides and skips the file headers', () => {
    const hunks = parseUnified(DIFF);
    expect(hunks.map((h) => h.header)).toEqual(['@@ -1,4 +1,4 @@', '@@ -10,2 +10,3 @@ section']);
    expect(hunks[0].lines).toEqual([
      { kind: 'ctx', text: '<h1>Bakery</h1>', oldNo: 1, newNo: 1 },
      { kind: 'del', text: '<p>Open 8-18</p>', oldNo: 2, newNo: null },
      { kind: 'del', text: '<p>Closed Sunday</p>', oldNo: 3, newNo: null },
      { kind: 'add', text: '<p>Open 7-19</p>', oldNo: null, newNo: 2 },
      { kind: 'ctx', text: '<footer></footer>', oldNo: 4, newNo: 3 },
      { kind: 'add', text: '<script src="a.js"></script>', oldNo: null, newNo: 4 },
    ]);
    expect(hunks[1].lines.at(-1)).toEqual({
      kind: 'note',
      text: 'No newline at end of file',
      oldNo: null,
      newNo: null,
    });
  });

  it('gives no hunks for a diff without changes', () => {
    expect(parseUnified('--- a\n+++ a\n')).toEqual([]);
    expect(parseUnified('')).toEqual([]);
  });
});

describe('sideBySide', () => {
  it('pairs removed lines with the added ones after them, context on both sides', () => {
    const rows = sideBySide(parseUnified(DIFF)[0]);
    expect(rows.map((r) => [r.left?.text ?? null, r.right?.text ?? null])).toEqual([
      ['<h1>Bakery</h1>', '<h1>Bakery</h1>'],
      ['<p>Open 8-18</p>', '<p>Open 7-19</p>'],
      ['<p>Closed Sunday</p>', null],
      ['<footer></footer>', '<footer></footer>'],
      [null, '<script src="a.js"></script>'],
    ]);
  });

  it('starts a new pair when removals follow additions', () => {
    const [hunk] = parseUnified('@@ -1,2 +1,2 @@\n+a\n-b\n+c\n');
    expect(sideBySide(hunk).map((r) => [r.left?.text ?? null, r.right?.text ?? null])).toEqual([
      [null, 'a'],
      ['b', 'c'],
    ]);
  });

  it('shows a note on the left only', () => {
    const rows = sideBySide(parseUnified(DIFF)[1]);
    expect(rows.at(-1)?.left?.kind).toBe('note');
    expect(rows.at(-1)?.right).toBeNull();
  });
});

describe('countChanges', () => {
  it('counts added and removed lines over all hunks', () => {
    expect(countChanges(parseUnified(DIFF))).toEqual({ added: 3, removed: 2 });
    expect(countChanges([])).toEqual({ added: 0, removed: 0 });
  });
});
