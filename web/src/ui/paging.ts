import { nextCursor, unwrap } from '../api/client';

/** One page of a list the API pages with `?limit=&before=` and a `Link: <…>; rel="next"` header. */
export interface Page<T> {
  items: T[];
  /** The `before` cursor of the next page, or null on the last one. */
  next: string | null;
}

/** Runs a typed-client call for one page and reads the next page's cursor from its `Link` header. */
export async function page<T>(
  call: Promise<{ data?: T[]; error?: unknown; response: Response }>,
): Promise<Page<T>> {
  const answer = await call;
  const items = await unwrap(Promise.resolve(answer));
  return { items, next: nextCursor(answer.response.headers) };
}
