import { useId, useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, errorMessage, unwrap, type Schemas } from '../api/client';
import { keys } from '../api/keys';
import { navigate } from '../router';
import { ConfirmDialog } from '../ui/ConfirmDialog';
import { FormDialog } from '../ui/FormDialog';
import { ModelSelect } from './ModelSelect';
import { modelFor, profileRows, profileSummary } from './model-profile';
import { useModels, useSessionPages } from './queries';
import { SessionActions } from './SessionActions';

type Session = Schemas['SessionView'];

/**
 * The user's sessions, most recently updated first, paged ("Load more"): open one, create one
 * (title and model), rename, fork or delete one (after a confirmation). A drawer under 800 px.
 */
export function SessionSidebar(props: {
  id: string;
  open: boolean;
  selectedId: string | null;
  onSelect: () => void;
}) {
  const client = useQueryClient();
  const sessions = useSessionPages();
  const [creating, setCreating] = useState(false);
  const [renaming, setRenaming] = useState<Session | null>(null);
  const [deleting, setDeleting] = useState<Session | null>(null);
  const [error, setError] = useState<string | null>(null);
  const headingId = useId();

  const refresh = () => client.invalidateQueries({ queryKey: keys.sessions });

  const open = (id: string) => {
    props.onSelect();
    navigate({ name: 'session', id, tab: 'preview' });
  };

  const fork = useMutation({
    mutationFn: (s: Session) =>
      unwrap(
        api.POST('/api/sessions/{id}/fork', {
          params: { path: { id: s.id } },
          body: { title: `${s.title} (fork)`.slice(0, 200) },
        }),
      ),
    onSuccess: async (created) => {
      setError(null);
      await refresh();
      open(created.id);
    },
    onError: (err) => setError(errorMessage(err)),
  });

  const remove = useMutation({
    mutationFn: (s: Session) =>
      unwrap(api.DELETE('/api/sessions/{id}', { params: { path: { id: s.id } } })),
    onSuccess: async (_data, s) => {
      setDeleting(null);
      setError(null);
      if (props.selectedId === s.id) {
        navigate({ name: 'home' });
      }
      client.removeQueries({ queryKey: keys.session(s.id) });
      await refresh();
    },
  });

  const list = sessions.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <nav
      id={props.id}
      className={props.open ? 'sidebar open' : 'sidebar'}
      aria-labelledby={headingId}
    >
      <div className="sidebar-head">
        <h2 id={headingId} className="sidebar-title">
          Sessions
        </h2>
        <button type="button" className="primary" onClick={() => setCreating(true)}>
          New session
        </button>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {sessions.isPending && <p className="muted">Loading…</p>}
      {sessions.isError && (
        <p className="error" role="alert">
          {errorMessage(sessions.error)}
        </p>
      )}
      {sessions.isSuccess && list.length === 0 && (
        <p className="muted">No sessions yet. Create one to start.</p>
      )}
      <ul className="session-list">
        {list.map((s) => (
          <li key={s.id} className={s.id === props.selectedId ? 'current' : undefined}>
            <a
              href={`/sessions/${s.id}`}
              aria-current={s.id === props.selectedId ? 'page' : undefined}
              onClick={(e) => {
                if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) {
                  return;
                }
                e.preventDefault();
                open(s.id);
              }}
            >
              <span className="session-title">{s.title}</span>
              <span className="session-time muted">{shortTime(s.updated_at)}</span>
            </a>
            <SessionActions
              title={s.title}
              busy={fork.isPending && fork.variables?.id === s.id}
              onRename={() => setRenaming(s)}
              onFork={() => fork.mutate(s)}
              onDelete={() => setDeleting(s)}
            />
          </li>
        ))}
      </ul>
      {sessions.hasNextPage && (
        <button
          type="button"
          className="load-more"
          disabled={sessions.isFetchingNextPage}
          onClick={() => void sessions.fetchNextPage()}
        >
          {sessions.isFetchingNextPage ? 'Loading…' : 'Load more'}
        </button>
      )}

      <CreateSessionDialog
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={async (s) => {
          setCreating(false);
          await refresh();
          open(s.id);
        }}
      />
      <RenameDialog
        session={renaming}
        onClose={() => setRenaming(null)}
        onRenamed={async (s) => {
          setRenaming(null);
          client.setQueryData(keys.session(s.id), s);
          await refresh();
        }}
      />
      <ConfirmDialog
        open={deleting !== null}
        title="Delete session?"
        message={
          <p>
            “{deleting?.title}” will be deleted with its conversation, files and versions. This
            cannot be undone.
          </p>
        }
        confirmLabel="Delete"
        danger
        busy={remove.isPending}
        error={remove.isError ? errorMessage(remove.error) : null}
        onConfirm={() => deleting && remove.mutate(deleting)}
        onCancel={() => {
          remove.reset();
          setDeleting(null);
        }}
      />
    </nav>
  );
}

function shortTime(iso: string): string {
  const d = new Date(iso);
  const now = new Date();
  return d.toDateString() === now.toDateString()
    ? d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })
    : d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
}

function CreateSessionDialog({
  open,
  onClose,
  onCreated,
}: {
  open: boolean;
  onClose: () => void;
  onCreated: (s: Session) => Promise<void>;
}) {
  const [title, setTitle] = useState('');
  const [model, setModel] = useState<string | null>(null);
  const models = useModels();
  const summary = profileSummary(profileRows(modelFor(models.data?.models ?? [], model)));
  const id = useId();
  const create = useMutation({
    mutationFn: () => unwrap(api.POST('/api/sessions', { body: { title: title.trim(), model } })),
    onSuccess: async (s) => {
      setTitle('');
      setModel(null);
      await onCreated(s);
    },
  });
  const close = () => {
    create.reset();
    onClose();
  };
  return (
    <FormDialog
      open={open}
      title="New session"
      submitLabel="Create"
      canSubmit={title.trim() !== ''}
      busy={create.isPending}
      error={create.isError ? errorMessage(create.error) : null}
      onClose={close}
      onSubmit={() => create.mutate()}
    >
      <label htmlFor={`${id}-title`}>Title</label>
      <input
        id={`${id}-title`}
        value={title}
        required
        maxLength={200}
        placeholder="e.g. Bakery landing page"
        onChange={(e) => setTitle(e.target.value)}
      />
      <label htmlFor={`${id}-model`}>Model</label>
      <ModelSelect
        id={`${id}-model`}
        value={model}
        onChange={setModel}
        describedBy={summary ? `${id}-model-profile` : undefined}
      />
      {summary && (
        <p id={`${id}-model-profile`} className="muted small">
          {summary}
        </p>
      )}
    </FormDialog>
  );
}

function RenameDialog({
  session,
  onClose,
  onRenamed,
}: {
  session: Session | null;
  onClose: () => void;
  onRenamed: (s: Session) => Promise<void>;
}) {
  return (
    <RenameDialogInner
      key={session?.id ?? 'none'}
      session={session}
      onClose={onClose}
      onRenamed={onRenamed}
    />
  );
}

function RenameDialogInner({
  session,
  onClose,
  onRenamed,
}: {
  session: Session | null;
  onClose: () => void;
  onRenamed: (s: Session) => Promise<void>;
}) {
  const [title, setTitle] = useState(session?.title ?? '');
  const id = useId();
  const rename = useMutation({
    mutationFn: () =>
      unwrap(
        api.PATCH('/api/sessions/{id}', {
          params: { path: { id: session!.id } },
          body: { title: title.trim() },
        }),
      ),
    onSuccess: onRenamed,
  });
  return (
    <FormDialog
      open={session !== null}
      title="Rename session"
      submitLabel="Save"
      canSubmit={title.trim() !== ''}
      busy={rename.isPending}
      error={rename.isError ? errorMessage(rename.error) : null}
      onClose={onClose}
      onSubmit={() => rename.mutate()}
    >
      <label htmlFor={`${id}-title`}>Title</label>
      <input
        id={`${id}-title`}
        value={title}
        required
        maxLength={200}
        onChange={(e) => setTitle(e.target.value)}
      />
    </FormDialog>
  );
}
