import { useId, useMemo, useState } from 'react';
import {
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
  type InfiniteData,
} from '@tanstack/react-query';
import { api, ApiError, errorMessage, nextCursor, unwrap, type Schemas } from '../api/client';
import { keys } from '../api/keys';
import { formatBytes } from '../files/format';
import { UsageChart } from './UsageChart';
import '../features.css';

type User = Schemas['AdminUserView'];
type Usage = Schemas['UsageView'];
type Patch = Schemas['UpdateUserDto'];
type Pages<T> = InfiniteData<{ items: T[]; next: string | null }, string | null>;

// Paged lists sit under a sub-key of the contract's keys (invalidating those refreshes them).
const USERS_PAGES = [...keys.adminUsers, 'pages'] as const;
const USAGE_PAGES = [...keys.adminUsage, 'pages'] as const;

const TIERS: User['tier'][] = ['free', 'pro', 'enterprise'];
const ROLES: User['role'][] = ['user', 'admin'];

/** The admin page: users with tier, role and disabled editable; usage per user as a table and a chart. */
export function AdminPage() {
  return (
    <div className="admin">
      <h1 className="admin-title">Administration</h1>
      <UsersSection />
      <UsageSection />
    </div>
  );
}

function UsersSection() {
  const queryClient = useQueryClient();
  const me = useQuery({ queryKey: keys.me, queryFn: () => unwrap(api.GET('/api/auth/me')) });
  const [problem, setProblem] = useState<string | null>(null);
  const [status, setStatus] = useState('');
  // Shown at once while the change is on its way; the server's answer replaces it (or undoes it).
  const [optimistic, setOptimistic] = useState<Record<number, Patch>>({});
  const headingId = useId();

  const users = useInfiniteQuery({
    queryKey: USERS_PAGES,
    queryFn: async ({ pageParam }) => {
      const r = await api.GET('/api/admin/users', {
        params: { query: pageParam ? { before: pageParam } : {} },
      });
      const items = await unwrap(Promise.resolve(r));
      return { items, next: nextCursor(r.response.headers) };
    },
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next,
  });

  const update = useMutation({
    onMutate: ({ user, patch }) =>
      setOptimistic((o) => ({ ...o, [user.id]: { ...o[user.id], ...patch } })),
    onSettled: (_d, _e, { user }) =>
      setOptimistic((o) => {
        const rest = { ...o };
        delete rest[user.id];
        return rest;
      }),
    mutationFn: ({ user, patch }: { user: User; patch: Patch }) =>
      unwrap(
        api.PATCH('/api/admin/users/{id}', {
          params: { path: { id: String(user.id) } },
          body: patch,
        }),
      ),
    onSuccess: (updated) => {
      queryClient.setQueryData<Pages<User>>(USERS_PAGES, (data) =>
        data
          ? {
              ...data,
              pages: data.pages.map((p) => ({
                ...p,
                items: p.items.map((u) => (u.id === updated.id ? updated : u)),
              })),
            }
          : data,
      );
      void queryClient.invalidateQueries({ queryKey: keys.adminUsage });
      if (updated.id === me.data?.id) {
        void queryClient.invalidateQueries({ queryKey: keys.me });
      }
      setProblem(null);
      setStatus(
        `${updated.username}: tier ${updated.tier}, role ${updated.role}${updated.disabled ? ', disabled' : ''}.`,
      );
    },
    onError: (err, { user }) => {
      setStatus('');
      setProblem(
        err instanceof ApiError && err.status === 409
          ? `${user.username} was not changed: ${err.message}. Make another user an admin first.`
          : `${user.username} was not changed: ${errorMessage(err)}`,
      );
    },
  });

  const change = (user: User, patch: Patch) => update.mutate({ user, patch });

  const rows = users.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <section className="admin-section" aria-labelledby={headingId}>
      <h2 id={headingId}>Users</h2>
      <p role="status" className="muted admin-status">
        {status}
      </p>
      {problem && (
        <p role="alert" className="error">
          {problem}
        </p>
      )}
      {users.isError && (
        <p role="alert" className="error">
          {errorMessage(users.error)}
        </p>
      )}
      <div className="table-scroll" tabIndex={0} role="group" aria-label="Users table">
        <table className="admin-table" aria-label="Users">
          <thead>
            <tr>
              <th scope="col">User</th>
              <th scope="col" className="col-joined">
                Joined
              </th>
              <th scope="col">Tier</th>
              <th scope="col">Role</th>
              <th scope="col">Disabled</th>
            </tr>
          </thead>
          <tbody>
            {users.isPending && (
              <tr>
                <td colSpan={5} className="muted">
                  Loading users…
                </td>
              </tr>
            )}
            {rows.map((saved) => {
              const u = { ...saved, ...optimistic[saved.id] };
              const self = u.id === me.data?.id;
              return (
                <tr key={u.id} className={u.disabled ? 'user-disabled' : undefined}>
                  <th scope="row">
                    <span className="admin-username">{u.username}</span>
                    {u.id === me.data?.id && <span className="muted"> (you)</span>}
                    <br className="admin-email-break" />
                    <span className="muted admin-email">{u.email}</span>
                  </th>
                  <td className="col-joined">{new Date(u.created_at).toLocaleDateString()}</td>
                  <td>
                    <select
                      aria-label={`Tier for ${u.username}`}
                      value={u.tier}
                      onChange={(e) => change(u, { tier: e.target.value as User['tier'] })}
                    >
                      {TIERS.map((t) => (
                        <option key={t} value={t}>
                          {t}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td>
                    <select
                      aria-label={`Role for ${u.username}`}
                      value={u.role}
                      disabled={self}
                      title={self ? 'You cannot remove your own admin role' : undefined}
                      onChange={(e) => change(u, { role: e.target.value as User['role'] })}
                    >
                      {ROLES.map((r) => (
                        <option key={r} value={r}>
                          {r}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td>
                    <input
                      type="checkbox"
                      className="admin-check"
                      aria-label={`Disabled ${u.username}`}
                      checked={u.disabled}
                      disabled={self}
                      title={self ? 'You cannot disable yourself' : undefined}
                      onChange={(e) => change(u, { disabled: e.target.checked })}
                    />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {users.hasNextPage && (
        <button
          type="button"
          className="load-more"
          disabled={users.isFetchingNextPage}
          onClick={() => void users.fetchNextPage()}
        >
          {users.isFetchingNextPage ? 'Loading…' : 'Load more'}
        </button>
      )}
    </section>
  );
}

function UsageSection() {
  const headingId = useId();
  const usage = useInfiniteQuery({
    queryKey: USAGE_PAGES,
    queryFn: async ({ pageParam }) => {
      const r = await api.GET('/api/admin/usage', {
        params: { query: pageParam ? { before: pageParam } : {} },
      });
      const items = await unwrap(Promise.resolve(r));
      return { items, next: nextCursor(r.response.headers) };
    },
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next,
  });
  const rows: Usage[] = useMemo(
    () => usage.data?.pages.flatMap((p) => p.items) ?? [],
    [usage.data],
  );

  return (
    <section className="admin-section" aria-labelledby={headingId}>
      <h2 id={headingId}>Usage</h2>
      {usage.isError && (
        <p role="alert" className="error">
          {errorMessage(usage.error)}
        </p>
      )}
      <UsageChart rows={rows} />
      <div className="table-scroll" tabIndex={0} role="group" aria-label="Usage table">
        <table className="admin-table numeric" aria-label="Usage">
          <thead>
            <tr>
              <th scope="col">User</th>
              <th scope="col">Tier</th>
              <th scope="col">Messages</th>
              <th scope="col">Runs</th>
              <th scope="col">Prompt tokens</th>
              <th scope="col">Completion tokens</th>
              <th scope="col">Sandbox</th>
            </tr>
          </thead>
          <tbody>
            {usage.isPending && (
              <tr>
                <td colSpan={7} className="muted">
                  Loading usage…
                </td>
              </tr>
            )}
            {rows.map((u) => (
              <tr key={u.user_id}>
                <th scope="row">{u.username}</th>
                <td>{u.tier}</td>
                <td>{u.messages.toLocaleString()}</td>
                <td>{u.runs.toLocaleString()}</td>
                <td>{u.prompt_tokens.toLocaleString()}</td>
                <td>{u.completion_tokens.toLocaleString()}</td>
                <td>{formatBytes(u.sandbox_bytes)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {usage.hasNextPage && (
        <button
          type="button"
          className="load-more"
          disabled={usage.isFetchingNextPage}
          onClick={() => void usage.fetchNextPage()}
        >
          {usage.isFetchingNextPage ? 'Loading…' : 'Load more'}
        </button>
      )}
    </section>
  );
}
