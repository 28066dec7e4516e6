import { Fragment, useId, useMemo, useState } from 'react';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, errorMessage, nextCursor, type Schemas } from '../api/client';
import { keys, sandboxChanged } from '../api/keys';
import { requestJson } from '../files/file-api';
import { ConfirmDialog } from '../files/Modal';
import { VersionDiff, type DiffMode } from './DiffView';
import '../features.css';

type Version = Schemas['VersionView'];
type Message = Schemas['MessageView'];
type Step = Schemas['StepView'];

const MODE_KEY = 'aeio.diff-mode';

/** A version's group: the agent turn that made it, or a run of changes made outside any turn. */
interface Group {
  key: string;
  messageId: number | null;
  versions: Version[];
}

function groupByTurn(versions: Version[]): Group[] {
  const groups: Group[] = [];
  for (const v of versions) {
    const last = groups.at(-1);
    if (last && last.messageId === v.message_id) {
      last.versions.push(v);
    } else {
      groups.push({ key: `group-${v.version}`, messageId: v.message_id, versions: [v] });
    }
  }
  return groups;
}

/** What made a version, as a person reads it: the tool call, or the kind of change. */
function versionLabel(v: Version, steps: Map<number, Step>): string {
  if (v.version === 0) {
    return 'empty sandbox';
  }
  switch (v.source) {
    case 'agent': {
      const step = v.step_id === null ? undefined : steps.get(v.step_id);
      if (step) {
        const args = step.tool_arguments;
        const target = args.filename ?? args.path ?? args.from ?? '';
        return `${step.tool_name} ${typeof target === 'string' ? target : ''}`.trim();
      }
      // Steps are kept for the latest turn only: older tool calls are named by what they changed.
      return v.changes.length === 1
        ? `tool call: ${v.changes[0].change} ${v.changes[0].filename}`
        : 'tool call';
    }
    case 'restore':
      return v.restored_from === null ? 'restore' : `restore of version ${v.restored_from}`;
    case 'import':
      return 'import (zip)';
    case 'fork':
      return 'fork';
    case 'api':
      return 'api';
    default:
      return v.source;
  }
}

const CHANGE_MARK: Record<string, string> = { added: 'A', modified: 'M', deleted: 'D' };

function restoreProblem(err: unknown, v: number): string {
  if (err instanceof ApiError) {
    switch (err.status) {
      case 409:
        return `A turn is running in this session: stop it or let it finish, then restore. (${err.message})`;
      case 410:
        return `Version ${v} was pruned from the history (its space budget is full), so it can no longer be restored.`;
      case 413:
        return `Restoring version ${v} would go past your storage limits, so nothing changed. (${err.message})`;
    }
  }
  return errorMessage(err);
}

/** The sandbox's history: versions grouped by the turn that made them, any version's diff, restore. */
export function VersionsPanel({ sessionId }: { sessionId: string }) {
  const queryClient = useQueryClient();
  const [selected, setSelected] = useState<number | null>(null);
  const [mode, setMode] = useState<DiffMode>(() =>
    localStorage.getItem(MODE_KEY) === 'split' ? 'split' : 'unified',
  );
  const [confirm, setConfirm] = useState<{ version: number; undo: boolean } | null>(null);
  const [status, setStatus] = useState('');
  const diffId = useId();

  const versions = useInfiniteQuery({
    // under a sub-key, as every paged list: a plain query on keys.versions never sees `{pages}`
    queryKey: [...keys.versions(sessionId), 'pages'],
    queryFn: async ({ pageParam }) => {
      const query = pageParam ? `?before=${encodeURIComponent(pageParam)}` : '';
      const { data, headers } = await requestJson<Version[]>(
        `/api/sessions/${sessionId}/versions${query}`,
      );
      return { items: data, next: nextCursor(headers) };
    },
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next,
  });
  const all = useMemo(() => versions.data?.pages.flatMap((p) => p.items) ?? [], [versions.data]);
  const newest = all[0]?.version ?? -1;

  // The turns' messages (headings, version_before) and the latest turn's steps (tool call names),
  // fetched again whenever the newest version changes.
  const messages = useQuery({
    queryKey: [...keys.messages(sessionId), 'for-versions', newest],
    queryFn: async () =>
      (await requestJson<Message[]>(`/api/sessions/${sessionId}/messages?limit=500`)).data,
    enabled: all.length > 0,
  });
  const steps = useQuery({
    queryKey: [...keys.messages(sessionId), 'latest-steps-for-versions', newest],
    queryFn: async () =>
      (await requestJson<Step[]>(`/api/sessions/${sessionId}/messages/latest/execution-steps`))
        .data,
    enabled: all.some((v) => v.source === 'agent'),
  });
  const stepMap = useMemo(() => new Map((steps.data ?? []).map((s) => [s.id, s])), [steps.data]);
  const byId = useMemo(() => new Map((messages.data ?? []).map((m) => [m.id, m])), [messages.data]);
  const userMessageBefore = (assistantId: number): Message | undefined =>
    (messages.data ?? [])
      .filter((m) => m.role === 'user' && m.id < assistantId)
      .reduce<Message | undefined>((best, m) => (!best || m.id > best.id ? m : best), undefined);

  const detail = useQuery({
    queryKey: [...keys.versions(sessionId), 'detail', selected],
    queryFn: async () =>
      (
        await requestJson<Schemas['VersionDetailView']>(
          `/api/sessions/${sessionId}/versions/${selected}`,
        )
      ).data,
    enabled: selected !== null,
    staleTime: Infinity,
  });

  const restore = useMutation({
    mutationFn: async (v: number) =>
      (
        await requestJson<Schemas['RestoredView']>(
          `/api/sessions/${sessionId}/versions/${v}/restore`,
          { method: 'POST' },
        )
      ).data,
    onSuccess: (r) => {
      setConfirm(null);
      setStatus(`Restored version ${r.restored_from}: the sandbox is now version ${r.version}.`);
      sandboxChanged(queryClient, sessionId);
    },
  });

  const chooseMode = (m: DiffMode) => {
    setMode(m);
    localStorage.setItem(MODE_KEY, m);
  };

  if (versions.isPending) {
    return <p className="muted versions-empty">Loading versions…</p>;
  }
  if (versions.isError) {
    return (
      <p role="alert" className="error versions-empty">
        {errorMessage(versions.error)}
      </p>
    );
  }

  const groups = groupByTurn(all);
  const confirmVersion = confirm?.version ?? 0;

  return (
    <div className="versions-panel">
      <p role="status" className="files-status muted">
        {status}
      </p>
      {all.length === 0 ? (
        <p className="muted versions-empty">No versions yet.</p>
      ) : (
        <ol aria-label="Versions" className="version-list">
          {groups.map((g) => {
            const assistant = g.messageId === null ? undefined : byId.get(g.messageId);
            const user = g.messageId === null ? undefined : userMessageBefore(g.messageId);
            const running = assistant?.status === 'running';
            const before = assistant?.version_before ?? null;
            return (
              <Fragment key={g.key}>
                {g.versions.map((v, i) => {
                  const open = selected === v.version;
                  return (
                    <li key={v.version} className={`version${i === 0 ? ' group-first' : ''}`}>
                      {i === 0 && (
                        <div className="turn-header">
                          <h2 className="turn-title">
                            {g.messageId === null ? (
                              'Changes outside a turn'
                            ) : user ? (
                              <>
                                <span className="visually-hidden">Turn: </span>“
                                {truncate(user.content, 140)}”
                              </>
                            ) : (
                              `Agent turn ${g.messageId}`
                            )}
                          </h2>
                          {g.messageId !== null && (
                            <span className="turn-actions">
                              {running && <span className="muted">running…</span>}
                              <button
                                type="button"
                                disabled={before === null || running}
                                title={
                                  before === null
                                    ? 'The version before this turn is not known here'
                                    : `Restore version ${before}, the sandbox before this turn`
                                }
                                onClick={() => {
                                  restore.reset();
                                  if (before !== null) {
                                    setConfirm({ version: before, undo: true });
                                  }
                                }}
                              >
                                Undo this turn
                              </button>
                            </span>
                          )}
                        </div>
                      )}
                      <div className="version-row">
                        <span className="version-number">v{v.version}</span>
                        <span className="version-label">{versionLabel(v, stepMap)}</span>
                        <time className="muted version-time" dateTime={v.created_at}>
                          {formatTime(v.created_at)}
                        </time>
                        <span className="version-actions">
                          <button
                            type="button"
                            aria-expanded={open}
                            aria-controls={open ? diffId : undefined}
                            onClick={() => setSelected(open ? null : v.version)}
                          >
                            {open ? 'Hide changes' : 'Show changes'}
                            <span className="visually-hidden"> of version {v.version}</span>
                          </button>
                          <button
                            type="button"
                            onClick={() => {
                              restore.reset();
                              setConfirm({ version: v.version, undo: false });
                            }}
                          >
                            Restore<span className="visually-hidden"> to version {v.version}</span>
                          </button>
                        </span>
                      </div>
                      {v.changes.length > 0 && (
                        <ul
                          className="change-list"
                          aria-label={`Files changed in version ${v.version}`}
                        >
                          {v.changes.map((c) => (
                            <li key={c.filename}>
                              <span className={`change-badge change-${c.change}`} title={c.change}>
                                {CHANGE_MARK[c.change] ?? '?'}
                              </span>
                              <span className="visually-hidden">{c.change} </span>
                              {c.filename}
                            </li>
                          ))}
                        </ul>
                      )}
                      {open && (
                        <div id={diffId} className="diff-area">
                          <div className="diff-toolbar" role="group" aria-label="Diff layout">
                            <button
                              type="button"
                              aria-pressed={mode === 'unified'}
                              onClick={() => chooseMode('unified')}
                            >
                              Unified
                            </button>
                            <button
                              type="button"
                              aria-pressed={mode === 'split'}
                              onClick={() => chooseMode('split')}
                            >
                              Side by side
                            </button>
                          </div>
                          {detail.isPending ? (
                            <p className="muted">Loading the changes…</p>
                          ) : detail.isError ? (
                            <p role="alert" className="error">
                              {detail.error instanceof ApiError && detail.error.status === 410
                                ? `Version ${v.version} was pruned from the history.`
                                : errorMessage(detail.error)}
                            </p>
                          ) : (
                            <VersionDiff changes={detail.data.changes} mode={mode} />
                          )}
                        </div>
                      )}
                    </li>
                  );
                })}
              </Fragment>
            );
          })}
        </ol>
      )}
      {versions.hasNextPage && (
        <button
          type="button"
          className="load-more"
          disabled={versions.isFetchingNextPage}
          onClick={() => void versions.fetchNextPage()}
        >
          {versions.isFetchingNextPage ? 'Loading…' : 'Load more'}
        </button>
      )}
      <ConfirmDialog
        open={confirm !== null}
        title={confirm?.undo ? 'Undo this turn?' : `Restore to version ${confirmVersion}?`}
        message={
          <p>
            {confirm?.undo
              ? `The sandbox goes back to version ${confirmVersion}, as it was before this turn.`
              : `The sandbox becomes exactly version ${confirmVersion}: files added since are removed.`}{' '}
            This is itself a new version, so you can come back to the current state.
          </p>
        }
        confirmLabel="Restore"
        busy={restore.isPending}
        error={restore.isError ? restoreProblem(restore.error, confirmVersion) : null}
        onConfirm={() => confirm && restore.mutate(confirm.version)}
        onCancel={() => setConfirm(null)}
      />
    </div>
  );
}

function truncate(text: string, n: number): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
}

function formatTime(iso: string): string {
  const d = new Date(iso);
  const today = new Date().toDateString() === d.toDateString();
  return today
    ? d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })
    : d.toLocaleString(undefined, {
        month: 'short',
        day: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
      });
}
