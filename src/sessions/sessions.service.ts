import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { CapsService } from '../caps/caps.service.js';
import { TtlCache } from '../common/cache/ttl-cache.js';
import { Sql } from '../database/sql.service.js';
import { ClusterBus } from '../common/cluster/cluster-bus.service.js';
import { forbidden, notFound, validationFailed } from '../common/errors/app-error.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import {
  decodeCursor,
  pageLimit,
  pageOf,
  type Page,
  type PageQueryDto,
} from '../common/http/pagination.js';
import type { OwnedSession } from './owned-session.js';
import type { Session } from './session.entity.js';
import { SessionsRepository } from './sessions.repository.js';

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

const SESSION_DELETED = 'session.deleted';

@Injectable()
export class SessionsService {
  /** Who owns a session never changes, so it is remembered; a delete evicts it on every replica. */
  private readonly owners = new TtlCache<string, number>(60_000, 100_000);

  constructor(
    private readonly sessions: SessionsRepository,
    private readonly cluster: ClusterBus,
    private readonly sql: Sql,
    private readonly caps: CapsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
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

  /** The user's sessions, most recently updated first, one page. */
  async list(userId: number, query: PageQueryDto): Promise<Page<Session>> {
    const limit = pageLimit(query);
    const after = decodeCursor(query.before, parseSessionCursor);
    const rows = await this.sessions.listOfUser(userId, after, limit + 1);
    return pageOf(rows, limit, (r) => [r.at, r.session.id]).map((r) => r.session);
  }

  /** Creates a session; the count and the insert share one transaction under the user's lock (403 at the cap). */
  create(userId: number, title: string, model?: string | null): Promise<Session> {
    this.assertModel(model);
    const id = randomUUID().replaceAll('-', '');
    return this.sql.transaction(async (tx) => {
      await this.caps.assertSessionFits(tx, userId, () => this.sessions.countOfUser(userId, tx));
      return this.sessions.insert(tx, { id, userId, title, model });
    });
  }

  /** The models a session may use (`AGENT_MODELS`), the default first. */
  models(): { id: string; default: boolean }[] {
    return this.config.agent.models.map((id, i) => ({ id, default: i === 0 }));
  }

  /** Whether turns can run at all: the agent answers 503 without a provider (see TurnsService). */
  providerConfigured(): boolean {
    return Boolean(this.config.llm.apiKey ?? this.config.llm.baseUrl);
  }

  /** The model a turn of this session asks: its own while the deployment still offers it, else the default. */
  modelOf(session: Pick<Session, 'model'>): string {
    const { models } = this.config.agent;
    return session.model && models.includes(session.model) ? session.model : models[0];
  }

  /** A model outside `AGENT_MODELS` → 422; null or absent means the default. */
  private assertModel(model: string | null | undefined): void {
    if (model && !this.config.agent.models.includes(model)) {
      throw validationFailed(
        `Unknown model "${model}": choose one of ${this.config.agent.models.join(', ')} (GET /api/models)`,
      );
    }
  }

  /** The session if the acting user owns it: 404 when it does not exist, 403 when it is someone else's. */
  async getOwned(userId: number, sessionId: string): Promise<Session> {
    const session = SESSION_ID.test(sessionId) ? await this.sessions.findById(sessionId) : null;
    if (!session) {
      throw notFound('Session not found');
    }
    this.owners.set(session.id, session.userId);
    if (session.userId !== userId) {
      throw forbidden('Not allowed to access this session');
    }
    return session;
  }

  /** Renames the session and/or sets its model (`model: null` = the default). */
  /** How many sessions the user holds (their caps and `GET /api/auth/me`). */
  countOfUser(userId: number): Promise<number> {
    return this.sessions.countOfUser(userId);
  }

  /** The bytes all the user's sandboxes hold. */
  storageOfUser(userId: number): Promise<number> {
    return this.sessions.storageOfUser(userId);
  }

  async update(
    userId: number,
    sessionId: string,
    patch: { title?: string; model?: string | null },
  ): Promise<Session> {
    const session = await this.getOwned(userId, sessionId);
    this.assertModel(patch.model);
    const updated = await this.sessions.update(session.id, patch);
    if (!updated) {
      throw notFound('Session not found');
    }
    return updated;
  }

  /** Deletes the session; its messages, steps and sandbox files go with it through ON DELETE CASCADE. */
  async remove(userId: number, sessionId: string): Promise<void> {
    const session = await this.getOwned(userId, sessionId);
    await this.sessions.delete(session.id);
    this.owners.delete(session.id);
    this.cluster.publish(SESSION_DELETED, session.id);
  }
}
