import { Injectable } from '@nestjs/common';
import { Sql, type SqlClient } from '../database/sql.service.js';
import { Webhook, type WebhookEvent } from './webhook.entity.js';

const COLUMNS = 'id, user_id, url, events, secret_sealed, created_at';

interface WebhookRow {
  id: number;
  user_id: number;
  url: string;
  events: WebhookEvent[];
  secret_sealed: string;
  created_at: Date;
}

/** The one row mapper of `webhooks`. */
const toWebhook = (r: WebhookRow): Webhook =>
  Object.assign(new Webhook(), {
    id: r.id,
    userId: r.user_id,
    url: r.url,
    events: r.events,
    secretSealed: r.secret_sealed,
    createdAt: r.created_at,
  });

/** Every statement on `webhooks`. Plain SQL: few and small, and the delivery worker reads by id. */
@Injectable()
export class WebhooksRepository {
  constructor(private readonly sql: Sql) {}

  /** Serialises registrations of one user within `tx`, so the per-user cap holds under concurrency. */
  async lockUser(tx: SqlClient, userId: number): Promise<void> {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('webhooks'), $1)`, [userId]);
  }

  async countOfUser(tx: SqlClient, userId: number): Promise<number> {
    const [row] = await tx.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM webhooks WHERE user_id = $1`,
      [userId],
    );
    return row.n;
  }

  async insert(
    tx: SqlClient,
    hook: Pick<Webhook, 'userId' | 'url' | 'events' | 'secretSealed'>,
  ): Promise<Webhook> {
    const [row] = await tx.query<WebhookRow>(
      `INSERT INTO webhooks (user_id, url, events, secret_sealed) VALUES ($1, $2, $3, $4)
       RETURNING ${COLUMNS}`,
      [hook.userId, hook.url, hook.events, hook.secretSealed],
    );
    return toWebhook(row);
  }

  async listOfUser(userId: number): Promise<Webhook[]> {
    const rows = await this.sql.query<WebhookRow>(
      `SELECT ${COLUMNS} FROM webhooks WHERE user_id = $1 ORDER BY id`,
      [userId],
    );
    return rows.map(toWebhook);
  }

  /** The events a user's webhooks listen to, all together (what the outbox's cheap check needs). */
  async eventsOfUser(userId: number): Promise<WebhookEvent[]> {
    const rows = await this.sql.query<{ event: WebhookEvent }>(
      `SELECT DISTINCT unnest(events) AS event FROM webhooks WHERE user_id = $1`,
      [userId],
    );
    return rows.map((r) => r.event);
  }

  async findById(id: number): Promise<Webhook | null> {
    const [row] = await this.sql.query<WebhookRow>(
      `SELECT ${COLUMNS} FROM webhooks WHERE id = $1`,
      [id],
    );
    return row ? toWebhook(row) : null;
  }

  /** Deletes the webhook; its deliveries go with it (ON DELETE CASCADE). */
  async delete(id: number): Promise<void> {
    await this.sql.query(`DELETE FROM webhooks WHERE id = $1`, [id]);
  }
}
