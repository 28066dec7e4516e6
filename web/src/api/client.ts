import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';
import { authStore } from '../auth/auth-store';

export type Schemas = components['schemas'];

/** An error answer of the API: every one is `{"detail"}` (validation adds `errors`). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    detail: string,
    readonly errors: { field: string; message: string }[] = [],
    readonly headers?: Headers,
  ) {
    super(detail);
  }
}

/** Adds the bearer token; a 401 on an authenticated call means the token expired or was revoked. */
const auth: Middleware = {
  onRequest({ request }) {
    const token = authStore.token();
    if (token && !request.headers.has('Authorization')) {
      request.headers.set('Authorization', `Bearer ${token}`);
    }
    return request;
  },
  onResponse({ request, response }) {
    if (response.status === 401 && request.headers.has('Authorization')) {
      authStore.expire();
    }
    return response;
  },
};

/** The typed client for the public API (types generated from the OpenAPI document: `npm run web:types`). */
export const api = createClient<paths>({ baseUrl: '' });
api.use(auth);

/** Headers for hand-made requests (streams, archives) that cannot go through the typed client. */
export function authHeaders(extra: Record<string, string> = {}): Record<string, string> {
  const token = authStore.token();
  return token ? { ...extra, Authorization: `Bearer ${token}` } : extra;
}

interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The body of a successful answer, or an ApiError carrying the service's `detail`. */
export async function unwrap<T>(call: Promise<Answer<T>>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) {
    const body = (error ?? {}) as {
      detail?: unknown;
      errors?: { field: string; message: string }[];
    };
    const detail =
      typeof body.detail === 'string' ? body.detail : `${response.status} ${response.statusText}`;
    throw new ApiError(response.status, detail, body.errors ?? [], response.headers);
  }
  return data as T;
}

/** For hand-made fetches: throws the same ApiError as `unwrap`, expiring the sign-in on a 401. */
export async function checked(response: Response): Promise<Response> {
  if (response.ok) {
    return response;
  }
  if (response.status === 401) {
    authStore.expire();
  }
  let detail = `${response.status} ${response.statusText}`;
  let errors: { field: string; message: string }[] = [];
  try {
    const body = (await response.json()) as { detail?: string; errors?: typeof errors };
    detail = body.detail ?? detail;
    errors = body.errors ?? [];
  } catch {
    // not JSON: keep the status line
  }
  throw new ApiError(response.status, detail, errors, response.headers);
}

/** A message fit to show a person for any failure. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) {
    return err.errors.length > 0 ? err.errors.map((e) => e.message).join('; ') : err.message;
  }
  if (err instanceof TypeError) {
    return 'The service could not be reached. Check your connection and try again.';
  }
  return err instanceof Error ? err.message : String(err);
}

/** The `before` cursor of an RFC 8288 `Link: <…?before=…>; rel="next"` header, if there is a next page. */
export function nextCursor(headers: Headers): string | null {
  const link = headers.get('Link');
  const match = link ? /<([^>]+)>\s*;\s*rel="?next"?/.exec(link) : null;
  if (!match) {
    return null;
  }
  return new URL(match[1], window.location.origin).searchParams.get('before');
}
