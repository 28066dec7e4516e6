import { Injectable } from '@nestjs/common';
import { Sql, type SqlClient } from '../database/sql.service.js';
import { Session } from './session.entity.js';

const COLUMNS = 'id, user_id, title, model, created_at, updated_at';

interface SessionRow {
  id: string;
  user_id: number;
  title: string;
  model: string | null;
  created_at: Date;
  updated_at: Date;
}

/** The one row mapper of `sessions`. */
const toSession = (r: SessionRow): Session =>
  Object.assign(new Session(), {
    id: r.id,
    userId: r.user_id,
    title: r.title,
    model: r.model,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  });

/** A page of sessions and, per row, its cursor key (updated_at to the microsecond). */
export interface SessionListRow {
  session: Session;
  at: string;
}

/**
 * Every statement on `sessions`. Plain SQL throughout: the list is the busiest read of the API, the
 * lock and the totals run inside other features' transactions (`tx`), and the rest are single rows.
 */
@Injectable()
export class SessionsRepository {
  constructor(private readonly sql: Sql) {}

  async insert(
    tx: SqlClient,
    s: { id: string; userId: number; title: string; model?: string | null },
  ): Promise<Session> {
    const [row] = await tx.query<SessionRow>(
      `INSERT INTO sessions (id, user_id, title, model) VALUES ($1, $2, $3, $4) RETURNING ${COLUMNS}`,
      [s.id, s.userId, s.title, s.model ?? null],
    );
    return toSession(row);
  }

  async findById(id: string): Promise<Session | null> {
    const [row] = await this.sql.query<SessionRow>(
      `SELECT ${COLUMNS} FROM sessions WHERE id = $1`,
      [id],
    );
    return row ? toSession(row) : null;
  }

  /**
   * Most recently updated first. The cursor is (updated_at to the microsecond, id); `updated_at <= $2`
   * is the range the index (user_id, updated_at DESC, id) scans, the OR only filters the rows of the
   * cursor's own instant.
   */
  async listOfUser(
    userId: number,
    after: { at: string; id: string } | undefined,
    take: number,
  ): Promise<SessionListRow[]> {
    const rows = await this.sql.query<SessionRow & { at: string }>(
      `SELECT ${COLUMNS},
              to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at
         FROM sessions
        WHERE user_id = $1
          AND ($2::timestamptz IS NULL
               OR (updated_at <= $2::timestamptz AND (updated_at < $2::timestamptz OR id > $3)))
        ORDER BY updated_at DESC, id
        LIMIT $4`,
      [userId, after?.at ?? null, after?.id ?? null, take],
    );
    return rows.map((r) => ({ session: toSession(r), at: r.at }));
  }

  /** Sets the fields given; `model: null` sets the default model, an absent field is left alone. */
  async update(
    id: string,
    patch: { title?: string; model?: string | null },
  ): Promise<Session | null> {
    const [row] = await this.sql.query<SessionRow>(
      `UPDATE sessions
          SET title = COALESCE($2, title),
              model = CASE WHEN $3 THEN $4 ELSE model END,
              updated_at = now()
        WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, patch.title ?? null, patch.model !== undefined, patch.model ?? null],
    );
    return row ? toSession(row) : null;
  }

  /** Its messages, steps and sandbox files go with it through ON DELETE CASCADE. */
  async delete(id: string): Promise<void> {
    await this.sql.query(`DELETE FROM sessions WHERE id = $1`, [id]);
  }

  /** Marks the session as recently active, so it sorts first in the list. */
  async touch(tx: SqlClient | undefined, id: string): Promise<void> {
    await (tx ?? this.sql).query(`UPDATE sessions SET updated_at = now() WHERE id = $1`, [id]);
  }

  /**
   * Locks the session's row for the transaction (writers of one sandbox queue here) and returns its
   * sandbox total; null when the user has no such session.
   */
  async lockSandbox(tx: SqlClient, id: string, userId: number): Promise<number | null> {
    const [row] = await tx.query<{ sandbox_bytes: string }>(
      `SELECT sandbox_bytes FROM sessions WHERE id = $1 AND user_id = $2 FOR UPDATE`,
      [id, userId],
    );
    return row ? Number(row.sandbox_bytes) : null;
  }

  /** Moves the sandbox total by `delta` bytes (the caller holds the lock) and marks the session active. */
  async addSandboxBytes(tx: SqlClient, id: string, delta: number): Promise<void> {
    await tx.query(
      `UPDATE sessions SET sandbox_bytes = sandbox_bytes + $2, updated_at = now() WHERE id = $1`,
      [id, delta],
    );
  }

  /** How many sessions the user holds (the sessions cap). */
  async countOfUser(userId: number, tx?: SqlClient): Promise<number> {
    const [row] = await (tx ?? this.sql).query<{ n: string }>(
      `SELECT count(*) AS n FROM sessions WHERE user_id = $1`,
      [userId],
    );
    return Number(row.n);
  }

  /** Bytes in all of the user's sandboxes (the storage cap). */
  async storageOfUser(userId: number, tx?: SqlClient): Promise<number> {
    const [row] = await (tx ?? this.sql).query<{ n: string }>(
      `SELECT COALESCE(sum(sandbox_bytes), 0) AS n FROM sessions WHERE user_id = $1`,
      [userId],
    );
    return Number(row.n);
  }
}
