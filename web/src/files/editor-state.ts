import type { Draft } from './drafts';
import type { LoadedFile } from './file-api';

/** What an edit in the editor does to the file's draft. */
export type DraftChange = { kind: 'set'; draft: Draft } | { kind: 'discard' } | { kind: 'none' };

/**
 * The draft after the editor's text became `text`. Typing back to the saved text discards the draft
 * (unless it was made from an older version: then it still has to be saved or reloaded). A draft
 * keeps the ETag it was made from, so a save over a file changed meanwhile is refused, not silent.
 */
export function draftAfterEdit(
  text: string,
  loaded: LoadedFile | undefined,
  draft: Draft | undefined,
): DraftChange {
  if (!loaded) {
    // a draft kept from before a reload, edited before the file has loaded again
    return draft
      ? { kind: 'set', draft: { content: text, baseEtag: draft.baseEtag } }
      : { kind: 'none' };
  }
  if (text === loaded.content && (!draft || draft.baseEtag === loaded.etag)) {
    return { kind: 'discard' };
  }
  return {
    kind: 'set',
    draft: { content: text, baseEtag: draft ? draft.baseEtag : loaded.etag },
  };
}

/** Someone (the agent, another tab) changed the file under an unsaved edit. */
export const isStaleDraft = (draft: Draft | undefined, loaded: LoadedFile | undefined): boolean =>
  !!draft && !!loaded && draft.baseEtag !== loaded.etag;

/**
 * The editor's document identity: when it changes, the editor takes the new text (another file, a
 * draft over another version, the file reloaded); while it stays, typing is not overwritten.
 */
export function editorDocKey(
  selected: string | null,
  draft: Draft | undefined,
  loaded: LoadedFile | undefined,
  reloads: number,
): string {
  return `${selected ?? ''}|${draft ? `draft:${draft.baseEtag}` : (loaded?.etag ?? 'loading')}|${reloads}`;
}
