import { useMemo, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { ApiError, errorMessage } from '../api/client';
import { keys } from '../api/keys';
import { draftStore, useDrafts } from './drafts';
import { draftAfterEdit, editorDocKey, isStaleDraft } from './editor-state';
import { EditorPane } from './EditorPane';
import { FileDialogs, type FileDialog } from './FileDialogs';
import { FilesToolbar } from './FilesToolbar';
import { FileTree } from './FileTree';
import { useCreateFile } from './hooks/mutation/use-create-file';
import { useDeleteFile } from './hooks/mutation/use-delete-file';
import { useDownloadZip } from './hooks/mutation/use-download-zip';
import { useFile } from './hooks/query/use-file';
import { useFileListing } from './hooks/query/use-file-listing';
import { useImportZip } from './hooks/mutation/use-import-zip';
import { useSaveFile } from './hooks/mutation/use-save-file';
import { useOpenFiles } from './open-files';
import { buildTree } from './tree';
import { useDark } from './use-dark';
import '../features.css';

/**
 * The sandbox: a tree of its files, the open one in a code editor, and the zip import/export. This
 * component holds what the parts share (the open file, its draft, the dialog, the status line); each
 * request is a hook of its own under `hooks/`.
 */
export function FilesPanel({ sessionId }: { sessionId: string }) {
  const queryClient = useQueryClient();
  const dark = useDark();
  const drafts = useDrafts(sessionId);
  const { selected, expanded, select, toggle, clear } = useOpenFiles(sessionId);
  const [dialog, setDialog] = useState<FileDialog>(null);
  const [status, setStatus] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [saveConflict, setSaveConflict] = useState(false);
  const [reloads, setReloads] = useState(0);

  const listing = useFileListing(sessionId);
  const names = useMemo(
    () => new Set((listing.data?.files ?? []).map((f) => f.name)),
    [listing.data],
  );
  const tree = useMemo(() => buildTree(listing.data?.files ?? []), [listing.data]);

  const file = useFile(sessionId, selected);
  const loaded = file.data?.filename === selected ? file.data : undefined;
  const draft = selected ? drafts[selected] : undefined;
  const dirty = useMemo(() => new Set(Object.keys(drafts)), [drafts]);
  const conflict = !!draft && (saveConflict || isStaleDraft(draft, loaded));

  const save = useSaveFile(sessionId);
  const remove = useDeleteFile(sessionId);
  const create = useCreateFile(sessionId);
  const download = useDownloadZip(sessionId);
  const imported = useImportZip(sessionId);

  const open = (path: string) => {
    select(path);
    setSaveConflict(false);
    setError(null);
  };

  const onChange = (text: string) => {
    if (!selected) {
      return;
    }
    const change = draftAfterEdit(text, loaded, draft);
    if (change.kind === 'set') {
      draftStore.set(sessionId, selected, change.draft);
    } else if (change.kind === 'discard') {
      draftStore.discard(sessionId, selected);
    }
  };

  const doSave = (force = false) => {
    if (!selected || !draftStore.get(sessionId, selected) || save.isPending) {
      return;
    }
    if (conflict && !force) {
      setSaveConflict(true);
      return;
    }
    setStatus('');
    save.mutate(
      { name: selected, force },
      {
        onSuccess: ({ name }) => {
          setSaveConflict(false);
          setError(null);
          setStatus(`Saved ${name}`);
        },
        onError: (err) => {
          if (err instanceof ApiError && err.status === 412) {
            setSaveConflict(true);
          } else {
            setError(errorMessage(err));
          }
        },
      },
    );
  };

  const reload = async () => {
    if (!selected) {
      return;
    }
    draftStore.discard(sessionId, selected);
    setSaveConflict(false);
    setError(null);
    await queryClient.refetchQueries({ queryKey: keys.file(sessionId, selected), exact: true });
    setReloads((n) => n + 1);
    setStatus(`Reloaded ${selected}`);
  };

  return (
    <div
      className="files-panel"
      onKeyDown={(e) => {
        if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 's' && !e.defaultPrevented) {
          e.preventDefault();
          doSave();
        }
      }}
    >
      <FilesToolbar
        listing={listing.data}
        canDelete={!!selected && names.has(selected)}
        downloading={download.isPending}
        importing={imported.isPending}
        onNew={() => setDialog('new')}
        onDelete={() => {
          remove.reset();
          setDialog('delete');
        }}
        onDownload={() => download.mutate(undefined, { onError: (e) => setError(errorMessage(e)) })}
        onImport={(zip) => {
          setStatus('');
          imported.mutate(zip, {
            onSuccess: (r) => {
              setError(null);
              setStatus(
                `Imported ${r.files} file${r.files === 1 ? '' : 's'} as version ${r.version}`,
              );
            },
            onError: (e) => setError(`Import failed: ${errorMessage(e)}`),
          });
        }}
      />
      <p role="status" className="files-status muted">
        {status}
      </p>
      {error && (
        <p role="alert" className="error files-error">
          {error}
        </p>
      )}
      {listing.isError && (
        <p role="alert" className="error files-error">
          {errorMessage(listing.error)}
        </p>
      )}
      <div className="files-body">
        <div className="files-tree-pane">
          {listing.isPending ? (
            <p className="muted">Loading files…</p>
          ) : (
            <FileTree
              nodes={tree}
              expanded={expanded}
              onToggle={toggle}
              selected={selected}
              onOpen={open}
              dirty={dirty}
            />
          )}
        </div>
        {selected ? (
          <EditorPane
            sessionId={sessionId}
            filename={selected}
            loaded={loaded}
            loading={file.isLoading}
            loadError={file.isError ? file.error : null}
            draft={draft}
            conflict={conflict}
            saving={save.isPending}
            docKey={editorDocKey(selected, draft, loaded, reloads)}
            dark={dark}
            onChange={onChange}
            onSave={doSave}
            onReload={() => void reload()}
            onDiscard={() => setDialog('discard')}
          />
        ) : (
          <div className="editor-pane editor-empty">
            <p className="muted">
              {listing.data?.files.length
                ? 'Choose a file in the tree to open it.'
                : 'The sandbox is empty: ask the agent to build something, or create a file.'}
            </p>
          </div>
        )}
      </div>

      <FileDialogs
        dialog={dialog}
        selected={selected}
        hasDraft={!!draft}
        exists={(name) => names.has(name)}
        onCreate={async (name) => {
          await create.mutateAsync(name);
          setDialog(null);
          setStatus(`Created ${name}`);
          open(name);
        }}
        deleting={remove.isPending}
        deleteError={remove.isError ? errorMessage(remove.error) : null}
        onDelete={(name) =>
          remove.mutate(name, {
            onSuccess: () => {
              clear();
              setDialog(null);
              setStatus(`Deleted ${name}`);
            },
          })
        }
        onDiscard={() => {
          setDialog(null);
          void reload();
        }}
        onCancel={() => setDialog(null)}
      />
    </div>
  );
}
