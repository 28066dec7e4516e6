import { describe, expect, it } from '@jest/globals';
import type { ChangeRow } from './history-types.js';
import { contentHash } from './content-hash.js';
import { planChanges } from './plan-changes.js';

const buf = (s: string) => Buffer.from(s, 'utf8');
const existing = (path: string, content: string, version = 1): ChangeRow => ({
  version,
  path,
  change: 'added',
  hashBefore: null,
  sizeBefore: null,
  hashAfter: contentHash(buf(content)),
  sizeAfter: buf(content).length,
});

describe('planChanges', () => {
  it('classifies added, modified and deleted files against their newest changes', () => {
    const plan = planChanges(
      3,
      [
        { path: 'style.css', content: buf('body{}') },
        { path: 'index.html', content: buf('<p>new</p>') },
        { path: 'old.js', content: null },
      ],
      [existing('index.html', '<p>old</p>'), existing('old.js', 'x()')],
      contentHash,
    );
    expect(plan.changes.map((c) => [c.path, c.change])).toEqual([
      ['index.html', 'modified'],
      ['old.js', 'deleted'],
      ['style.css', 'added'],
    ]);
    const modified = plan.changes[0];
    expect(modified).toMatchObject({
      version: 3,
      hashBefore: contentHash(buf('<p>old</p>')),
      sizeBefore: 10,
      hashAfter: contentHash(buf('<p>new</p>')),
      sizeAfter: 10,
    });
    expect(plan.changes[1]).toMatchObject({ hashAfter: null, sizeAfter: null, sizeBefore: 3 });
  });

  it('treats an identical rewrite and the deletion of a missing file as no change', () => {
    const plan = planChanges(
      2,
      [
        { path: 'index.html', content: buf('same') },
        { path: 'gone.txt', content: null },
      ],
      [existing('index.html', 'same'), { ...existing('gone.txt', 'x'), change: 'deleted' }],
      contentHash,
    );
    expect(plan.changes).toEqual([]);
    expect(plan.blobs).toEqual([]);
  });

  it('stores identical contents once, whatever the number of files holding them', () => {
    const plan = planChanges(
      1,
      [
        { path: 'a.txt', content: buf('same') },
        { path: 'b.txt', content: buf('same') },
      ],
      [],
      contentHash,
    );
    expect(plan.changes).toHaveLength(2);
    expect(plan.blobs).toEqual([{ hash: contentHash(buf('same')), content: buf('same') }]);
  });

  it('keeps the last input of a path', () => {
    const plan = planChanges(
      1,
      [
        { path: 'a.txt', content: buf('first') },
        { path: 'a.txt', content: buf('second') },
      ],
      [],
      contentHash,
    );
    expect(plan.changes).toEqual([expect.objectContaining({ sizeAfter: 6, change: 'added' })]);
  });
});
