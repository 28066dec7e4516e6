import type { SqlClient } from '../database/sql.service.js';

/**
 * Where the bytes of a session's history live, addressed by (session, SHA-256 of the content). The
 * history decides what to keep and what to count; a store only keeps bytes. PostgreSQL today
 * (`PgContentStore`); an S3-compatible store implements the same three calls (see docs/architecture.md).
 * `tx` is the history's open transaction: a store outside PostgreSQL may ignore it.
 */
export interface ContentStore {
  /** Stores contents not stored yet (the caller passes only new hashes; a repeat must be harmless). */
  put(tx: SqlClient, sessionId: string, blobs: { hash: string; content: Buffer }[]): Promise<void>;
  /** The contents of these hashes; a hash the store does not hold is absent from the map. */
  get(db: SqlClient, sessionId: string, hashes: string[]): Promise<Map<string, Buffer>>;
  /** Forgets contents the history no longer references. */
  delete(tx: SqlClient, sessionId: string, hashes: string[]): Promise<void>;
}

export const CONTENT_STORE = Symbol('CONTENT_STORE');
