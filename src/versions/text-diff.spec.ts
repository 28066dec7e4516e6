import { describe, expect, it } from '@jest/globals';
import { MAX_DIFF_BYTES, unifiedDiff } from './text-diff.js';

const buf = (s: string) => Buffer.from(s, 'utf8');

describe('unifiedDiff', () => {
  it('shows a changed line as a unified diff with git-style headers', () => {
    const diff = unifiedDiff(
      'index.html',
      buf('<h1>Hi</h1>\n<p>a</p>\n'),
      buf('<h1>Hello</h1>\n<p>a</p>\n'),
    );
    expect(diff).toContain('--- a/index.html');
    expect(diff).toContain('+++ b/index.html');
    expect(diff).toContain('@@ -1,2 +1,2 @@');
    expect(diff).toContain('-<h1>Hi</h1>');
    expect(diff).toContain('+<h1>Hello</h1>');
    expect(diff).toContain(' <p>a</p>');
  });

  it('diffs an added file against /dev/null', () => {
    const diff = unifiedDiff('style.css', null, buf('body {}\n'));
    expect(diff).toContain('--- /dev/null');
    expect(diff).toContain('+++ b/style.css');
    expect(diff).toContain('+body {}');
  });

  it('diffs a deleted file to /dev/null', () => {
    const diff = unifiedDiff('old.js', buf('x()\n'), null);
    expect(diff).toContain('--- a/old.js');
    expect(diff).toContain('+++ /dev/null');
    expect(diff).toContain('-x()');
  });

  it('gives no diff for binary contents', () => {
    expect(unifiedDiff('logo.png', buf('a'), Buffer.from([0x89, 0x50, 0x00, 0x01]))).toBeNull();
    expect(unifiedDiff('bad.txt', Buffer.from([0xff, 0xfe, 0x41]), buf('a'))).toBeNull();
  });

  it('gives no diff past 256 KiB but one at exactly 256 KiB', () => {
    const atLimit = buf('a'.repeat(MAX_DIFF_BYTES - 1) + '\n');
    expect(unifiedDiff('big.txt', null, atLimit)).not.toBeNull();
    expect(unifiedDiff('big.txt', null, buf('a'.repeat(MAX_DIFF_BYTES) + '\n'))).toBeNull();
  });
});
