import { Injectable } from '@nestjs/common';
import type { SqlClient } from '../database/sql.service.js';
import type { ChangeKind, ChangeRow, FileAtVersion } from './history-types.js';

interface Row {
  version: number;
  path: string;
  change: ChangeKind;
  hash_before: string | null;
  size_before: number | null;
  hash_after: string | null;
  size_after: number | null;
}

const COLUMNS = 'version, path, change, hash_before, size_before, hash_after, size_after';

const toChange = (r: Row): ChangeRow => ({
  version: r.version,
  path: r.path,
  change: r.change,
  hashBefore: r.hash_before,
  sizeBefore: r.size_before,
  hashAfter: r.hash_after,
  sizeAfter: r.size_after,
});

/**
 * `version_changes`: what each version did to each file. A file's state at version v is its newest
 * change at or below v (index on (session_id, path, version DESC)), so no version stores a full copy.
 * Plain SQL: DISTINCT ON and unnest have no query-builder equivalent worth the indirection.
 */
@Injectable()
export class VersionChangesRepository {
  /** The newest change of each of these paths (the files as they are now, for the paths given). */
  async latestOf(tx: SqlClient, sessionId: string, paths: string[]): Promise<ChangeRow[]> {
    const rows = await tx.query<Row>(
      `SELECT DISTINCT ON (path) ${COLUMNS} FROM version_changes
        WHERE session_id = $1 AND path = ANY($2::varchar[])
        ORDER BY path, version DESC`,
      [sessionId, paths],
    );
    return rows.map(toChange);
  }

  /** The files that exist at `version`, sorted by path. */
  async stateAt(db: SqlClient, sessionId: string, version: number): Promise<FileAtVersion[]> {
    const rows = await db.query<{ path: string; change: ChangeKind; hash: string; size: number }>(
      `SELECT path, hash, size FROM (
         SELECT DISTINCT ON (path) path, change, hash_after AS hash, size_after AS size
           FROM version_changes WHERE session_id = $1 AND version <= $2
          ORDER BY path, version DESC) latest
        WHERE change <> 'deleted' ORDER BY path COLLATE "C"`,
      [sessionId, version],
    );
    return rows;
  }

  async ofVersions(db: SqlClient, sessionId: string, versions: number[]): Promise<ChangeRow[]> {
    if (versions.length === 0) {
      return [];
    }
    const rows = await db.query<Row>(
      `SELECT ${COLUMNS} FROM version_changes WHERE session_id = $1 AND version = ANY($2::int[])
        ORDER BY version DESC, path COLLATE "C"`,
      [sessionId, versions],
    );
    return rows.map(toChange);
  }

  async insertMany(tx: SqlClient, sessionId: string, changes: ChangeRow[]): Promise<void> {
    if (changes.length === 0) {
      return;
    }
    const col = <K extends keyof ChangeRow>(k: K) => changes.map((c) => c[k]);
    await tx.query(
      `INSERT INTO version_changes (session_id, ${COLUMNS})
       SELECT $1, * FROM unnest($2::int[], $3::varchar[], $4::varchar[], $5::char(64)[], $6::int[],
                                $7::char(64)[], $8::int[])`,
      [
        sessionId,
        col('version'),
        col('path'),
        col('change'),
        col('hashBefore'),
        col('sizeBefore'),
        col('hashAfter'),
        col('sizeAfter'),
      ],
    );
  }

  /**
   * Folds version `version` into the base the later versions build on: older changes of the paths it
   * touched are superseded, its deletions leave nothing behind, and its rows no longer need what came
   * before. Returns the hashes those rows referenced (candidates for deletion).
   */
  async foldIntoBase(tx: SqlClient, sessionId: string, version: number): Promise<string[]> {
    const superseded = await tx.query<{ hash_before: string | null; hash_after: string | null }>(
      `DELETE FROM version_changes o USING version_changes n
        WHERE n.session_id = $1 AND n.version = $2 AND o.session_id = $1 AND o.path = n.path
          AND o.version < $2
        RETURNING o.hash_before, o.hash_after`,
      [sessionId, version],
    );
    const own = await tx.query<{ hash_before: string | null; hash_after: string | null }>(
      `SELECT hash_before, hash_after FROM version_changes WHERE session_id = $1 AND version = $2`,
      [sessionId, version],
    );
    await tx.query(
      `DELETE FROM version_changes WHERE session_id = $1 AND version = $2 AND change = 'deleted'`,
      [sessionId, version],
    );
    await tx.query(
      `UPDATE version_changes SET hash_before = NULL, size_before = NULL
        WHERE session_id = $1 AND version = $2`,
      [sessionId, version],
    );
    const hashes = new Set<string>();
    for (const r of [...superseded, ...own]) {
      for (const h of [r.hash_before, r.hash_after]) {
        if (h) {
          hashes.add(h);
        }
      }
    }
    return [...hashes];
  }

  /** Of these hashes, those some change still references. */
  async referenced(tx: SqlClient, sessionId: string, hashes: string[]): Promise<Set<string>> {
    if (hashes.length === 0) {
      return new Set();
    }
    const rows = await tx.query<{ hash: string }>(
      `SELECT h AS hash FROM unnest($2::char(64)[]) AS h
        WHERE EXISTS (SELECT 1 FROM version_changes WHERE session_id = $1 AND hash_after = h)
           OR EXISTS (SELECT 1 FROM version_changes WHERE session_id = $1 AND hash_before = h)`,
      [sessionId, hashes],
    );
    return new Set(rows.map((r) => r.hash));
  }
}
