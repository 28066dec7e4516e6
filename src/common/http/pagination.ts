import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, type TransformFnParams } from 'class-transformer';
import { IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { AppError } from '../errors/app-error.js';

const DEFAULT_PAGE_LIMIT = 100;
const MAX_PAGE_LIMIT = 500;

/** Query strings are text: only plain digits become numbers; anything else stays as sent and fails IsInt (422). */
export const digitsToInt = ({ value }: TransformFnParams): unknown =>
  typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;

/** `?limit=&before=` of every list. */
export class PageQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE_LIMIT, default: DEFAULT_PAGE_LIMIT })
  @IsOptional()
  @Transform(digitsToInt)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_LIMIT)
  limit?: number;

  @ApiPropertyOptional({
    description:
      'opaque cursor: copy it from the `rel="next"` URL of the `Link` header of the previous page; ' +
      'a cursor that is not one → 422',
  })
  @IsOptional()
  @IsString()
  @Length(1, 512)
  before?: string;
}

/** One page of a list and the cursor of the page after it (null: this is the last one). */
export class Page<T> {
  constructor(
    readonly items: T[],
    readonly next: string | null,
  ) {}

  map<U>(fn: (item: T) => U): Page<U> {
    return new Page(this.items.map(fn), this.next);
  }
}

export type CursorKey = (string | number)[];

/** A cursor is the sort key of the last item sent, base64url-encoded JSON: opaque to clients. */
const encodeCursor = (key: CursorKey): string =>
  Buffer.from(JSON.stringify(key)).toString('base64url');

/**
 * Reads `before` with the list's own key check (`parse` returns undefined for a key that is not one of
 * its own); a cursor that does not decode or does not check → 422 on the `before` field.
 */
export function decodeCursor<T>(
  raw: string | undefined,
  parse: (key: unknown[]) => T | undefined,
): T | undefined {
  if (raw === undefined) {
    return undefined;
  }
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    key = undefined;
  }
  const parsed = Array.isArray(key) ? parse(key) : undefined;
  if (parsed === undefined) {
    throw new AppError('validation', 'Validation failed: before is not a valid cursor', [
      { field: 'before', message: 'before is not a valid cursor' },
    ]);
  }
  return parsed;
}

export const pageLimit = (query: PageQueryDto): number => query.limit ?? DEFAULT_PAGE_LIMIT;

/**
 * Makes a page from rows fetched with `LIMIT limit + 1`: an extra row means there is a next page, whose
 * cursor is the key of the last row kept.
 */
export function pageOf<T>(rows: T[], limit: number, keyOf: (last: T) => CursorKey): Page<T> {
  if (rows.length <= limit) {
    return new Page(rows, null);
  }
  const items = rows.slice(0, limit);
  return new Page(items, encodeCursor(keyOf(items[items.length - 1])));
}

/**
 * The `rel="next"` URL: the request's own path and query (under /api), `before` set to the cursor and
 * `offset` dropped, since the cursor already says where the page starts.
 */
export function nextPageLink(originalUrl: string, cursor: string): string {
  const url = new URL(originalUrl, 'http://localhost');
  url.searchParams.delete('offset');
  url.searchParams.set('before', cursor);
  return `<${url.pathname}${url.search}>; rel="next"`;
}
