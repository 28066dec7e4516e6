import { Injectable } from '@nestjs/common';
import type { Tier } from '../config/app-config.js';
import { Sql, type SqlClient } from '../database/sql.service.js';
import { User, type Role } from './user.entity.js';

const COLUMNS = 'id, username, email, tier, role, disabled, created_at';

interface UserRow {
  id: number;
  username: string;
  email: string;
  tier: Tier;
  role: Role;
  disabled: boolean;
  created_at: Date;
  password_hash?: string;
}

/** The one row mapper of `users`; the password hash only when the statement selected it. */
const toUser = (r: UserRow): User => {
  const user = Object.assign(new User(), {
    id: r.id,
    username: r.username,
    email: r.email,
    tier: r.tier,
    role: r.role,
    disabled: r.disabled,
    createdAt: r.created_at,
  });
  if (r.password_hash !== undefined) {
    user.passwordHash = r.password_hash;
  }
  return user;
};

/** A user's totals across their sessions, for the admin usage list. */
export interface UserUsage {
  userId: number;
  username: string;
  tier: Tier;
  messages: number;
  runs: number;
  promptTokens: number;
  completionTokens: number;
  sandboxBytes: number;
}

/** pg_advisory_xact_lock key taken by every change that can add or remove an admin ("admn"). */
const ADMIN_ROLES_LOCK = 0x61646d6e;

/**
 * Every statement on `users`. Plain SQL: logins match `lower(username)` / `lower(email)` (the unique
 * expression indexes), the caps take a `FOR NO KEY UPDATE` row lock inside other features'
 * transactions, and the admin changes run under an advisory lock — none of which TypeORM's
 * repository API expresses without raw fragments anyway.
 */
@Injectable()
export class UsersRepository {
  constructor(private readonly sql: Sql) {}

  /** A unique violation (a name or email taken meanwhile) is the caller's to translate. */
  async insert(
    u: {
      username: string;
      email: string;
      passwordHash: string;
      role: Role;
    },
    tx?: SqlClient,
  ): Promise<User> {
    const [row] = await (tx ?? this.sql).query<UserRow>(
      `INSERT INTO users (username, email, password_hash, role) VALUES ($1, $2, $3, $4)
       RETURNING ${COLUMNS}`,
      [u.username, u.email, u.passwordHash, u.role],
    );
    return toUser(row);
  }

  async findById(id: number, tx?: SqlClient): Promise<User | null> {
    const [row] = await (tx ?? this.sql).query<UserRow>(
      `SELECT ${COLUMNS} FROM users WHERE id = $1`,
      [id],
    );
    return row ? toUser(row) : null;
  }

  /** By username or email, case-insensitively, with the password hash; a username match wins. */
  async findForLogin(login: string): Promise<User | null> {
    const [row] = await this.sql.query<UserRow>(
      `SELECT ${COLUMNS}, password_hash FROM users
        WHERE lower(username) = lower($1) OR lower(email) = lower($1)
        ORDER BY lower(username) = lower($1) DESC LIMIT 1`,
      [login],
    );
    return row ? toUser(row) : null;
  }

  async findByUsername(username: string): Promise<User | null> {
    const [row] = await this.sql.query<UserRow>(
      `SELECT ${COLUMNS} FROM users WHERE lower(username) = lower($1)`,
      [username],
    );
    return row ? toUser(row) : null;
  }

  /** Which of these names (lower-cased) are taken, ignoring case. */
  async takenUsernames(tx: SqlClient, names: string[]): Promise<Set<string>> {
    const rows = await tx.query<{ name: string }>(
      `SELECT lower(username) AS name FROM users WHERE lower(username) = ANY($1)`,
      [names.map((n) => n.toLowerCase())],
    );
    return new Set(rows.map((r) => r.name));
  }

  async emailTaken(tx: SqlClient, email: string): Promise<boolean> {
    const rows = await tx.query(`SELECT 1 FROM users WHERE lower(email) = lower($1) LIMIT 1`, [
      email,
    ]);
    return rows.length > 0;
  }

  async nameOrEmailTaken(username: string, email: string): Promise<boolean> {
    const rows = await this.sql.query(
      `SELECT 1 FROM users WHERE lower(username) = lower($1) OR lower(email) = lower($2) LIMIT 1`,
      [username, email],
    );
    return rows.length > 0;
  }

  /**
   * Locks the user's row until the transaction ends and returns their tier, read fresh; null when
   * there is no such user. NO KEY UPDATE: it serialises every cap check of this user (they all take
   * it) but, unlike FOR UPDATE, does not block the FOR KEY SHARE locks of inserts that merely
   * reference the user.
   */
  async lockForCaps(tx: SqlClient, id: number): Promise<Tier | null> {
    const [row] = await tx.query<{ tier: Tier }>(
      `SELECT tier FROM users WHERE id = $1 FOR NO KEY UPDATE`,
      [id],
    );
    return row?.tier ?? null;
  }

  /** Users by id after `afterId`. */
  async pageAfter(afterId: number | undefined, take: number, offset: number): Promise<User[]> {
    const rows = await this.sql.query<UserRow>(
      `SELECT ${COLUMNS} FROM users WHERE $1::int IS NULL OR id > $1 ORDER BY id LIMIT $2 OFFSET $3`,
      [afterId ?? null, take, offset],
    );
    return rows.map(toUser);
  }

  /** Serialises changes that can add or remove an admin, until the transaction ends. */
  async lockAdminRoles(tx: SqlClient): Promise<void> {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [ADMIN_ROLES_LOCK]);
  }

  async countActiveAdmins(tx: SqlClient): Promise<number> {
    const [row] = await tx.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM users WHERE role = 'admin' AND NOT disabled`,
    );
    return row.n;
  }

  /** Makes the named users admins only while there is no active admin; the usernames promoted. */
  async promoteIfNoAdmin(tx: SqlClient, lowerNames: string[]): Promise<string[]> {
    const rows = await tx.query<{ username: string }>(
      `UPDATE users SET role = 'admin'
        WHERE lower(username) = ANY($1)
          AND NOT EXISTS (SELECT 1 FROM users WHERE role = 'admin' AND NOT disabled)
        RETURNING username`,
      [lowerNames],
    );
    return rows.map((r) => r.username);
  }

  /** Makes a user an admin in one statement that also reports the role they had (for `admin:promote`). */
  async promote(username: string): Promise<{ user: User; previousRole: Role } | null> {
    const [row] = await this.sql.query<UserRow & { previous_role: Role }>(
      `UPDATE users u SET role = 'admin'
         FROM (SELECT id, role FROM users WHERE lower(username) = lower($1) FOR UPDATE) old
        WHERE u.id = old.id
        RETURNING ${COLUMNS.split(', ')
          .map((c) => `u.${c}`)
          .join(', ')}, old.role AS previous_role`,
      [username],
    );
    return row ? { user: toUser(row), previousRole: row.previous_role } : null;
  }

  async update(
    tx: SqlClient,
    id: number,
    changes: { tier?: Tier; role?: Role; disabled?: boolean },
  ): Promise<User> {
    const [row] = await tx.query<UserRow>(
      `UPDATE users SET tier = COALESCE($2, tier), role = COALESCE($3, role),
                        disabled = COALESCE($4, disabled)
        WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, changes.tier ?? null, changes.role ?? null, changes.disabled ?? null],
    );
    return toUser(row);
  }

  /**
   * Per-user totals in one statement (messages and sessions aggregated once each, then joined), by
   * user id after `afterId`: a report over users, so it lives with them.
   */
  async usageAfter(
    afterId: number | undefined,
    take: number,
    offset: number,
  ): Promise<UserUsage[]> {
    const rows = await this.sql.query<{
      user_id: number;
      username: string;
      tier: Tier;
      // bigint and numeric arrive from pg as strings.
      messages: string;
      runs: string;
      prompt_tokens: string;
      completion_tokens: string;
      sandbox_bytes: string;
    }>(
      `SELECT u.id AS user_id, u.username, u.tier,
              COALESCE(m.messages, 0)          AS messages,
              COALESCE(m.runs, 0)              AS runs,
              COALESCE(m.prompt_tokens, 0)     AS prompt_tokens,
              COALESCE(m.completion_tokens, 0) AS completion_tokens,
              COALESCE(s.sandbox_bytes, 0)     AS sandbox_bytes
         FROM users u
         LEFT JOIN (
           SELECT user_id, sum(sandbox_bytes) AS sandbox_bytes FROM sessions GROUP BY user_id
         ) s ON s.user_id = u.id
         LEFT JOIN (
           SELECT se.user_id,
                  count(*) AS messages,
                  count(*) FILTER (WHERE msg.role = 'assistant') AS runs,
                  sum(msg.prompt_tokens) FILTER (WHERE msg.role = 'assistant') AS prompt_tokens,
                  sum(msg.completion_tokens) FILTER (WHERE msg.role = 'assistant') AS completion_tokens
             FROM messages msg
             JOIN sessions se ON se.id = msg.session_id
            GROUP BY se.user_id
         ) m ON m.user_id = u.id
        WHERE $3::int IS NULL OR u.id > $3
        ORDER BY u.id
        LIMIT $1 OFFSET $2`,
      [take, offset, afterId ?? null],
    );
    return rows.map((r) => ({
      userId: r.user_id,
      username: r.username,
      tier: r.tier,
      messages: Number(r.messages),
      runs: Number(r.runs),
      promptTokens: Number(r.prompt_tokens),
      completionTokens: Number(r.completion_tokens),
      sandboxBytes: Number(r.sandbox_bytes),
    }));
  }
}
