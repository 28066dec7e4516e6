import { lazy, Suspense, useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, errorMessage, type Schemas } from '../api/client';
import { keys, sandboxChanged } from '../api/keys';
import { draftStore, useDrafts } from './drafts';
import {
  deleteFile,
  downloadZip,
  importZip,
  isImage,
  readFile,
  readRaw,
  requestJson,
  writeFile,
  type LoadedFile,
} from './file-api';
import { FileTree } from './FileTree';
import { ConfirmDialog, Modal } from './Modal';
import { ancestorsOf, buildTree } from './tree';
import { useDark } from './use-dark';
import { formatBytes } from './format';
import '../features.css';

// CodeMirror is a chunk of its own, fetched the first time a file is opened.
const CodeEditor = lazy(() => import('./CodeEditor'));

/**
 * What was open per session, so switching tabs and back (or reloading the page) finds the same file
 * and folders. Kept in sessionStorage: this tab only.
 */
const OPEN_KEY = 'aeio.files-open';
type Open = { selected: string | null; expanded: string[] };
const remembered = {
  all(): Record<string, Open> {
    try {
      return JSON.parse(sessionStorage.getItem(OPEN_KEY) ?? '{}') as Record<string, Open>;
    } catch {
      return {};
    }
  },
  get(sessionId: string): Open | undefined {
    return this.all()[sessionId];
  },
  set(sessionId: string, open: Open): void {
    try {
      sessionStorage.setItem(OPEN_KEY, JSON.stringify({ ...this.all(), [sessionId]: open }));
    } catch {
      // storage full or refused: only this visit remembers
    }
  },
};

type Dialog = 'new' | 'delete' | 'discard' | null;

/** The sandbox: a tree of its files, the open one in a code editor, and the zip import/export. */
export function FilesPanel({ sessionId }: { sessionId: string }) {
  const queryClient = useQueryClient();
  const dark = useDark();
  const drafts = useDrafts(sessionId);
  const [selected, setSelected] = useState<string | null>(
    () => remembered.get(sessionId)?.selected ?? null,
  );
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(
    () => new Set(remembered.get(sessionId)?.expanded ?? []),
  );
  const [dialog, setDialog] = useState<Dialog>(null);
  const [status, setStatus] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [saveConflict, setSaveConflict] = useState(false);
  const [reloads, setReloads] = useState(0);

  useEffect(() => {
    remembered.set(sessionId, { selected, expanded: [...expanded] });
  }, [sessionId, selected, expanded]);

  const listing = useQuery({
    queryKey: keys.files(sessionId),
    queryFn: async () =>
      (await requestJson<Schemas['FileListing']>(`/api/sessions/${sessionId}/sandbox/files`)).data,
  });
  const names = useMemo(
    () => new Set((listing.data?.files ?? []).map((f) => f.name)),
    [listing.data],
  );
  const tree = useMemo(() => buildTree(listing.data?.files ?? []), [listing.data]);

  const file = useQuery({
    queryKey: keys.file(sessionId, selected ?? ''),
    queryFn: () => readFile(sessionId, selected!),
    enabled: selected !== null,
  });
  const loaded: LoadedFile | undefined = file.data?.filename === selected ? file.data : undefined;
  const draft = selected ? drafts[selected] : undefined;
  const dirty = useMemo(() => new Set(Object.keys(drafts)), [drafts]);
  // Someone (the agent, another tab) changed the file under an unsaved edit: say so before saving.
  const staleDraft = !!draft && !!loaded && draft.baseEtag !== loaded.etag;
  const conflict = !!draft && (saveConflict || staleDraft);

  const open = (path: string) => {
    setSelected(path);
    setSaveConflict(false);
    setError(null);
    setExpanded((prev) => new Set([...prev, ...ancestorsOf(path)]));
  };

  const onChange = (text: string) => {
    if (!selected) {
      return;
    }
    if (!loaded) {
      // a draft kept from before a reload, edited before the file has loaded again
      if (draft) {
        draftStore.set(sessionId, selected, { content: text, baseEtag: draft.baseEtag });
      }
      return;
    }
    if (text === loaded.content && (!draft || draft.baseEtag === loaded.etag)) {
      draftStore.discard(sessionId, selected);
    } else {
      draftStore.set(sessionId, selected, {
        content: text,
        baseEtag: draft ? draft.baseEtag : loaded.etag,
      });
    }
  };

  const save = useMutation({
    mutationFn: async ({ force }: { force: boolean }) => {
      const name = selected!;
      const d = draftStore.get(sessionId, name)!;
      const saved = await writeFile(sessionId, name, d.content, force ? null : d.baseEtag);
      return { name, content: d.content, saved };
    },
    onSuccess: ({ name, content, saved }) => {
      queryClient.setQueryData<LoadedFile>(keys.file(sessionId, name), {
        filename: name,
        content,
        size: saved.size,
        etag: saved.etag,
        binary: false,
      });
      const now = draftStore.get(sessionId, name);
      if (now && now.content !== content) {
        // typed on while saving: the rest is a new draft over what was just saved
        draftStore.set(sessionId, name, { content: now.content, baseEtag: saved.etag });
      } else {
        draftStore.discard(sessionId, name);
      }
      setSaveConflict(false);
      setError(null);
      setStatus(`Saved ${name}`);
      sandboxChanged(queryClient, sessionId);
    },
    onError: (err) => {
      if (err instanceof ApiError && err.status === 412) {
        setSaveConflict(true);
      } else {
        setError(errorMessage(err));
      }
    },
  });

  const doSave = (force = false) => {
    if (!selected || !draftStore.get(sessionId, selected) || save.isPending) {
      return;
    }
    if (conflict && !force) {
      setSaveConflict(true);
      return;
    }
    setStatus('');
    save.mutate({ force });
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

  const remove = useMutation({
    mutationFn: (name: string) =>
      deleteFile(
        sessionId,
        name,
        queryClient.getQueryData<LoadedFile>(keys.file(sessionId, name))?.etag ?? null,
      ),
    onSuccess: (_v, name) => {
      draftStore.discard(sessionId, name);
      queryClient.removeQueries({ queryKey: keys.file(sessionId, name), exact: true });
      setSelected(null);
      setDialog(null);
      setStatus(`Deleted ${name}`);
      sandboxChanged(queryClient, sessionId);
    },
  });

  const download = useMutation({
    mutationFn: () => downloadZip(sessionId),
    onError: (err) => setError(errorMessage(err)),
  });

  const importInput = useRef<HTMLInputElement>(null);
  const imported = useMutation({
    mutationFn: (zip: File) => importZip(sessionId, zip),
    onSuccess: (r) => {
      setError(null);
      setStatus(`Imported ${r.files} file${r.files === 1 ? '' : 's'} as version ${r.version}`);
      sandboxChanged(queryClient, sessionId);
    },
    onError: (err) => setError(`Import failed: ${errorMessage(err)}`),
    onSettled: () => {
      if (importInput.current) {
        importInput.current.value = '';
      }
    },
  });

  const docKey = `${selected ?? ''}|${draft ? `draft:${draft.baseEtag}` : (loaded?.etag ?? 'loading')}|${reloads}`;
  const readOnly = !loaded || file.isLoading;

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
      <div className="files-toolbar">
        <button type="button" onClick={() => setDialog('new')}>
          New file
        </button>
        <button
          type="button"
          disabled={!selected || !names.has(selected)}
          onClick={() => {
            remove.reset();
            setDialog('delete');
          }}
        >
          Delete file
        </button>
        <button type="button" disabled={download.isPending} onClick={() => download.mutate()}>
          {download.isPending ? 'Preparing zip…' : 'Download zip'}
        </button>
        <label className="file-button">
          <input
            ref={importInput}
            type="file"
            accept=".zip,application/zip"
            className="visually-hidden"
            disabled={imported.isPending}
            onChange={(e) => {
              const zip = e.target.files?.[0];
              if (zip) {
                setStatus('');
                imported.mutate(zip);
              }
            }}
          />
          <span aria-hidden="true">{imported.isPending ? 'Importing…' : 'Import zip'}</span>
          <span className="visually-hidden">Import zip</span>
        </label>
        <span className="muted files-total">
          {listing.data &&
            `${listing.data.files.length} file${listing.data.files.length === 1 ? '' : 's'}, ${formatBytes(listing.data.total_size)}`}
        </span>
      </div>
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
              onToggle={(path, isOpen) =>
                setExpanded((prev) => {
                  const next = new Set(prev);
                  if (isOpen) {
                    next.add(path);
                  } else {
                    next.delete(path);
                  }
                  return next;
                })
              }
              selected={selected}
              onOpen={open}
              dirty={dirty}
            />
          )}
        </div>
        {selected ? (
          <section className="editor-pane" aria-label={`Editor: ${selected}`}>
            <div className="editor-header">
              <span className="editor-name" title={selected}>
                {selected}
              </span>
              {draft && <span className="unsaved-badge">Unsaved changes</span>}
              <span className="editor-actions">
                {draft && (
                  <button type="button" onClick={() => setDialog('discard')}>
                    Discard changes
                  </button>
                )}
                <button
                  type="button"
                  className="primary"
                  disabled={!draft || save.isPending || !!loaded?.binary}
                  onClick={() => doSave()}
                  aria-keyshortcuts="Control+S Meta+S"
                >
                  {save.isPending ? 'Saving…' : 'Save'}
                </button>
              </span>
            </div>
            {conflict && (
              <div role="alert" className="conflict">
                <p>
                  <strong>This file changed since you opened it.</strong> Reload shows the current
                  file and discards your changes; Overwrite saves yours over it.
                </p>
                <div className="conflict-actions">
                  <button type="button" onClick={() => void reload()}>
                    Reload
                  </button>
                  <button
                    type="button"
                    className="danger"
                    disabled={save.isPending}
                    onClick={() => doSave(true)}
                  >
                    Overwrite
                  </button>
                </div>
              </div>
            )}
            {file.isError && (
              <p role="alert" className="error files-error">
                {file.error instanceof ApiError && file.error.status === 404
                  ? `${selected} no longer exists${draft ? ': Save creates it again with your changes.' : '.'}`
                  : errorMessage(file.error)}
              </p>
            )}
            {loaded?.binary ? (
              <BinaryFile sessionId={sessionId} file={loaded} />
            ) : (
              <div className="editor-frame">
                <Suspense fallback={<p className="muted editor-loading">Loading the editor…</p>}>
                  <CodeEditor
                    filename={selected}
                    value={draft?.content ?? loaded?.content ?? ''}
                    docKey={docKey}
                    readOnly={readOnly && !draft}
                    dark={dark}
                    onChange={onChange}
                    onSave={() => doSave()}
                  />
                </Suspense>
                {file.isLoading && (
                  <p className="muted editor-loading" role="status">
                    Loading {selected}…
                  </p>
                )}
              </div>
            )}
          </section>
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

      <NewFileDialog
        open={dialog === 'new'}
        exists={(name) => names.has(name)}
        onCancel={() => setDialog(null)}
        onCreate={async (name) => {
          await writeFile(sessionId, name, '', null);
          setDialog(null);
          setStatus(`Created ${name}`);
          sandboxChanged(queryClient, sessionId);
          open(name);
        }}
      />
      <ConfirmDialog
        open={dialog === 'delete' && !!selected}
        title={`Delete ${selected ?? ''}?`}
        message={
          <p>
            {selected} is removed from the sandbox
            {draft ? ', and your unsaved changes to it are lost' : ''}. Its earlier versions stay in
            the history, so it can be restored from Versions.
          </p>
        }
        confirmLabel="Delete"
        danger
        busy={remove.isPending}
        error={remove.isError ? errorMessage(remove.error) : null}
        onConfirm={() => selected && remove.mutate(selected)}
        onCancel={() => setDialog(null)}
      />
      <ConfirmDialog
        open={dialog === 'discard'}
        title="Discard your changes?"
        message={
          <p>Your unsaved changes to {selected} are lost, and the saved file shows again.</p>
        }
        confirmLabel="Discard"
        danger
        onConfirm={() => {
          setDialog(null);
          void reload();
        }}
        onCancel={() => setDialog(null)}
      />
    </div>
  );
}

function NewFileDialog({
  open,
  exists,
  onCancel,
  onCreate,
}: {
  open: boolean;
  exists: (name: string) => boolean;
  onCancel: () => void;
  onCreate: (name: string) => Promise<void>;
}) {
  const [name, setName] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (open) {
      setName('');
      setProblem(null);
    }
  }, [open]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const trimmed = name.trim();
    if (exists(trimmed)) {
      setProblem(`${trimmed} already exists: open it from the tree instead.`);
      return;
    }
    setBusy(true);
    try {
      await onCreate(trimmed);
    } catch (err) {
      // the service judges the name (400 with the reason)
      setProblem(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal open={open} title="New file" onClose={onCancel}>
      <form className="modal-body" onSubmit={(e) => void submit(e)}>
        <label htmlFor="new-file-name">File name</label>
        <input
          id="new-file-name"
          value={name}
          autoFocus
          required
          placeholder="e.g. css/site.css"
          aria-invalid={problem ? true : undefined}
          aria-describedby={problem ? 'new-file-problem' : 'new-file-hint'}
          onChange={(e) => {
            setName(e.target.value);
            setProblem(null);
          }}
        />
        {problem ? (
          <p id="new-file-problem" role="alert" className="error">
            {problem}
          </p>
        ) : (
          <p id="new-file-hint" className="muted small">
            Use / for folders: they are created with the file.
          </p>
        )}
        <div className="modal-actions">
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy || name.trim() === ''}>
            Create
          </button>
        </div>
      </form>
    </Modal>
  );
}

/** An image shows as itself; other binary files as a note (their text would be garbage). */
function BinaryFile({ sessionId, file }: { sessionId: string; file: LoadedFile }) {
  const image = isImage(file.filename);
  const raw = useQuery({
    queryKey: [...keys.file(sessionId, file.filename), 'raw', file.etag],
    queryFn: async () => URL.createObjectURL(await readRaw(sessionId, file.filename)),
    enabled: image,
    gcTime: 0,
  });
  useEffect(() => {
    const url = raw.data;
    return () => {
      if (url) {
        URL.revokeObjectURL(url);
      }
    };
  }, [raw.data]);
  return (
    <div className="binary-file">
      <p>
        Binary file, {file.size.toLocaleString()} bytes: it cannot be edited here (replace it by
        importing a zip).
      </p>
      {image && raw.data && <img src={raw.data} alt={`Preview of ${file.filename}`} />}
      {raw.isError && (
        <p role="alert" className="error">
          {errorMessage(raw.error)}
        </p>
      )}
    </div>
  );
}
