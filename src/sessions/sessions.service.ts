import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { CapsService } from '../caps/caps.service.js';
import { TtlCache } from '../common/cache/ttl-cache.js';
import { Sql } from '../database/sql.service.js';
import { ClusterBus } from '../common/cluster/cluster-bus.service.js';
import { forbidden, notFound } from '../common/errors/app-error.js';
import {
  decodeCursor,
  pageLimit,
  pageOf,
  type Page,
  type PageQueryDto,
} from '../common/http/pagination.js';
import { Session } from './session.entity.js';

const SESSION_ID = /^[0-9a-f]{32}$/;
const MICRO_ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;

/** A sessions cursor: [updated_at as UTC ISO with microseconds, id]; anything else is not one. */
function parseSessionCursor(key: unknown[]): { at: string; id: string } | undefined {
  const [at, id] = key;
  if (key.length !== 2 || typeof at !== 'string' || typeof id !== 'string') {
    return undefined;
  }
  if (!MICRO_ISO.test(at) || !SESSION_ID.test(id)) {
    return undefined;
  }
  // The round trip through Date refuses instants that do not exist (month 13, 30 February).
  const ms = new Date(`${at.slice(0, 23)}Z`);
  return !Number.isNaN(ms.getTime()) && ms.toISOString().slice(0, 23) === at.slice(0, 23)
    ? { at, id }
    : undefined;
}

export type SessionRow = Pick<Session, 'id' | 'title' | 'createdAt' | 'updatedAt'>;

/** A session the acting user was checked to own. */
export interface OwnedSession {
  id: string;
  userId: number;
}

const SESSION_DELETED = 'session.deleted';

@Injectable()
export class SessionsService {
  /** Who owns a session never changes, so it is remembered; a delete evicts it on every replica. */
  private readonly owners = new TtlCache<string, number>(60_000, 100_000);

  constructor(
    @InjectRepository(Session) private readonly sessions: Repository<Session>,
    private readonly cluster: ClusterBus,
    private readonly sql: Sql,
    private readonly caps: CapsService,
  ) {
    cluster.on(SESSION_DELETED, (id) => this.owners.delete(String(id)));
  }

  /** The ownership rule of every `/sessions/{id}/…` route: unknown → 404, someone else's → 403. */
  async assertOwner(userId: number, sessionId: string): Promise<OwnedSession> {
    const owner = this.owners.get(sessionId);
    if (owner === userId) {
      return { id: sessionId, userId };
    }
    const session = await this.getOwned(userId, sessionId);
    return { id: session.id, userId: session.userId };
  }

  /**
   * Most recently updated first, one page. Plain SQL: this is the busiest read of the API. The cursor is
   * (updated_at to the microsecond, id); `updated_at <= $2` is the range the index
   * (user_id, updated_at DESC, id) scans, the OR only filters the rows of the cursor's own instant.
   */
  async list(userId: number, query: PageQueryDto): Promise<Page<SessionRow>> {
    const limit = pageLimit(query);
    const after = decodeCursor(query.before, parseSessionCursor);
    const rows: { id: string; title: string; created_at: Date; updated_at: Date; at: string }[] =
      await this.sql.query(
        `SELECT id, title, created_at, updated_at,
                to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at
           FROM sessions
          WHERE user_id = $1
            AND ($2::timestamptz IS NULL
                 OR (updated_at <= $2::timestamptz AND (updated_at < $2::timestamptz OR id > $3)))
          ORDER BY updated_at DESC, id
          LIMIT $4`,
        [userId, after?.at ?? null, after?.id ?? null, limit + 1],
      );
    return pageOf(rows, limit, (r) => [r.at, r.id]).map((r) => ({
      id: r.id,
      title: r.title,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    }));
  }

  /** Creates a session; the count and the insert share one transaction under the user's lock (403 at the cap). */
  create(userId: number, title: string): Promise<Session> {
    const id = randomUUID().replaceAll('-', '');
    return this.sql.transaction(async (tx) => {
      await this.caps.assertSessionFits(tx, userId);
      const [row] = await tx.query<{ created_at: Date; updated_at: Date }>(
        `INSERT INTO sessions (id, user_id, title) VALUES ($1, $2, $3) RETURNING created_at, updated_at`,
        [id, userId, title],
      );
      return this.sessions.create({
        id,
        userId,
        title,
        createdAt: row.created_at,
        updatedAt: row.updated_at,
      });
    });
  }

  /** The session if the acting user owns it: 404 when it does not exist, 403 when it is someone else's. */
  async getOwned(userId: number, sessionId: string): Promise<Session> {
    const session = SESSION_ID.test(sessionId)
      ? await this.sessions.findOne({ where: { id: sessionId } })
      : null;
    if (!session) {
      throw notFound('Session not found');
    }
    this.owners.set(session.id, session.userId);
    if (session.userId !== userId) {
      throw forbidden('Not allowed to access this session');
    }
    return session;
  }

  async rename(userId: number, sessionId: string, title: string): Promise<Session> {
    const session = await this.getOwned(userId, sessionId);
    session.title = title;
    return this.sessions.save(session);
  }

  /** Deletes the session; its messages, steps and sandbox files go with it through ON DELETE CASCADE. */
  async remove(userId: number, sessionId: string): Promise<void> {
    const session = await this.getOwned(userId, sessionId);
    await this.sessions.delete({ id: session.id });
    this.owners.delete(session.id);
    this.cluster.publish(SESSION_DELETED, session.id);
  }

  /** Marks the session as recently active, so it sorts first in the list. */
  async touch(sessionId: string): Promise<void> {
    await this.sql.query(`UPDATE sessions SET updated_at = now() WHERE id = $1`, [sessionId]);
  }
}
