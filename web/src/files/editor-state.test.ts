// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { draftAfterEdit, editorDocKey, isStaleDraft } from './editor-state';
import type { LoadedFile } from './file-api';

const loaded = (content: string, etag: string | null = '"v1"'): LoadedFile => ({
  filename: 'index.html',
  content,
  size: content.length,
  etag,
  binary: false,
});

describe('draftAfterEdit', () => {
  it('starts a draft on the loaded version when the text differs', () => {
    expect(draftAfterEdit('new', loaded('old'), undefined)).toEqual({
      kind: 'set',
      draft: { content: 'new', baseEtag: '"v1"' },
    });
  });

  it('keeps the base of an existing draft, even when the file has moved on', () => {
    expect(
      draftAfterEdit('newer', loaded('old', '"v2"'), { content: 'new', baseEtag: '"v1"' }),
    ).toEqual({ kind: 'set', draft: { content: 'newer', baseEtag: '"v1"' } });
  });

  it('discards the draft when typing returns to the saved text of the same version', () => {
    expect(draftAfterEdit('old', loaded('old'), { content: 'x', baseEtag: '"v1"' })).toEqual({
      kind: 'discard',
    });
    expect(draftAfterEdit('old', loaded('old'), undefined)).toEqual({ kind: 'discard' });
  });

  it('keeps a draft made from an older version even when its text matches the new one', () => {
    expect(
      draftAfterEdit('old', loaded('old', '"v2"'), { content: 'x', baseEtag: '"v1"' }),
    ).toEqual({ kind: 'set', draft: { content: 'old', baseEtag: '"v1"' } });
  });

  it('before the file has loaded, updates a kept draft and ignores anything else', () => {
    expect(draftAfterEdit('t', undefined, { content: 's', baseEtag: '"v1"' })).toEqual({
      kind: 'set',
      draft: { content: 't', baseEtag: '"v1"' },
    });
    expect(draftAfterEdit('t', undefined, undefined)).toEqual({ kind: 'none' });
  });
});

describe('isStaleDraft', () => {
  it('is true only for a draft over another version than the one loaded', () => {
    const draft = { content: 'x', baseEtag: '"v1"' };
    expect(isStaleDraft(draft, loaded('a', '"v2"'))).toBe(true);
    expect(isStaleDraft(draft, loaded('a', '"v1"'))).toBe(false);
    expect(isStaleDraft(undefined, loaded('a', '"v2"'))).toBe(false);
    expect(isStaleDraft(draft, undefined)).toBe(false);
  });
});

describe('editorDocKey', () => {
  it('changes with the file, the draft’s base, the loaded version and each reload', () => {
    const base = editorDocKey('a.html', undefined, loaded('x', '"v1"'), 0);
    expect(base).toBe('a.html|"v1"|0');
    expect(editorDocKey('b.html', undefined, loaded('x', '"v1"'), 0)).not.toBe(base);
    expect(editorDocKey('a.html', undefined, loaded('x', '"v2"'), 0)).not.toBe(base);
    expect(editorDocKey('a.html', undefined, loaded('x', '"v1"'), 1)).not.toBe(base);
    expect(editorDocKey('a.html', undefined, undefined, 0)).toBe('a.html|loading|0');
  });

  it('stays the same while a draft is typed on (the editor keeps its cursor)', () => {
    const a = editorDocKey('a.html', { content: 'a', baseEtag: '"v1"' }, loaded('x', '"v1"'), 0);
    const b = editorDocKey('a.html', { content: 'ab', baseEtag: '"v1"' }, loaded('x', '"v2"'), 0);
    expect(a).toBe(b);
    expect(a).toBe('a.html|draft:"v1"|0');
  });
});
