import { lazy, Suspense } from 'react';
import { ApiError, errorMessage } from '../api/client';
import { BinaryFile } from './BinaryFile';
import type { Draft } from './drafts';
import type { LoadedFile } from './file-api';

// CodeMirror is a chunk of its own, fetched the first time a file is opened.
const CodeEditor = lazy(() => import('./CodeEditor'));

interface Props {
  sessionId: string;
  filename: string;
  loaded: LoadedFile | undefined;
  loading: boolean;
  /** The file could not be read (404: it was deleted meanwhile). */
  loadError: Error | null;
  draft: Draft | undefined;
  conflict: boolean;
  saving: boolean;
  docKey: string;
  dark: boolean;
  onChange: (text: string) => void;
  onSave: (force?: boolean) => void;
  onReload: () => void;
  onDiscard: () => void;
}

/** The open file: its name, Save / Discard, the conflict note, and the code editor or binary view. */
export function EditorPane(props: Props) {
  const { filename, loaded, draft, conflict, saving, loadError } = props;
  const readOnly = !loaded || props.loading;
  return (
    <section className="editor-pane" aria-label={`Editor: ${filename}`}>
      <div className="editor-header">
        <span className="editor-name" title={filename}>
          {filename}
        </span>
        {draft && <span className="unsaved-badge">Unsaved changes</span>}
        <span className="editor-actions">
          {draft && (
            <button type="button" onClick={props.onDiscard}>
              Discard changes
            </button>
          )}
          <button
            type="button"
            className="primary"
            disabled={!draft || saving || !!loaded?.binary}
            onClick={() => props.onSave()}
            aria-keyshortcuts="Control+S Meta+S"
          >
            {saving ? 'Saving…' : 'Save'}
          </button>
        </span>
      </div>
      {conflict && (
        <div role="alert" className="conflict">
          <p>
            <strong>This file changed since you opened it.</strong> Reload shows the current file
            and discards your changes; Overwrite saves yours over it.
          </p>
          <div className="conflict-actions">
            <button type="button" onClick={props.onReload}>
              Reload
            </button>
            <button
              type="button"
              className="danger"
              disabled={saving}
              onClick={() => props.onSave(true)}
            >
              Overwrite
            </button>
          </div>
        </div>
      )}
      {loadError !== null && (
        <p role="alert" className="error files-error">
          {loadError instanceof ApiError && loadError.status === 404
            ? `${filename} no longer exists${draft ? ': Save creates it again with your changes.' : '.'}`
            : errorMessage(loadError)}
        </p>
      )}
      {loaded?.binary ? (
        <BinaryFile sessionId={props.sessionId} file={loaded} />
      ) : (
        <div className="editor-frame">
          <Suspense fallback={<p className="muted editor-loading">Loading the editor…</p>}>
            <CodeEditor
              filename={filename}
              value={draft?.content ?? loaded?.content ?? ''}
              docKey={props.docKey}
              readOnly={readOnly && !draft}
              dark={props.dark}
              onChange={props.onChange}
              onSave={() => props.onSave()}
            />
          </Suspense>
          {props.loading && (
            <p className="muted editor-loading" role="status">
              Loading {filename}…
            </p>
          )}
        </div>
      )}
    </section>
  );
}
