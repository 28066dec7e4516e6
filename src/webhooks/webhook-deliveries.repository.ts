import { Injectable } from '@nestjs/common';
import { Sql, type SqlClient } from '../database/sql.service.js';
import { WebhookDelivery, type DeliveryStatus } from './webhook-delivery.entity.js';
import type { WebhookEvent } from './webhook.entity.js';

/** The channel a new delivery is announced on (NOTIFY is sent when the enqueuing transaction commits). */
export const DELIVERY_CHANNEL = 'aeio_webhooks';

const COLUMNS =
  'id, webhook_id, message_id, event, body, status, attempts, next_attempt_at, locked_until, ' +
  'last_status_code, last_error, created_at, delivered_at';

interface DeliveryRow {
  id: number;
  webhook_id: number;
  message_id: string;
  event: WebhookEvent;
  body: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: Date;
  locked_until: Date | null;
  last_status_code: number | null;
  last_error: string | null;
  created_at: Date;
  delivered_at: Date | null;
}

/** The one row mapper of `webhook_deliveries`. */
const toDelivery = (r: DeliveryRow): WebhookDelivery =>
  Object.assign(new WebhookDelivery(), {
    id: r.id,
    webhookId: r.webhook_id,
    messageId: r.message_id,
    event: r.event,
    body: r.body,
    status: r.status,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    lockedUntil: r.locked_until,
    lastStatusCode: r.last_status_code,
    lastError: r.last_error,
    createdAt: r.created_at,
    deliveredAt: r.delivered_at,
  });

/** Who an event belongs to: a user, or (for turns the stale-run sweep ends) the owner of a session. */
export type EventOwner = { userId: number } | { sessionId: string };

/**
 * Every statement on `webhook_deliveries`, the delivery queue. Plain SQL: the enqueue is one
 * INSERT … SELECT inside the transaction that records the event (an outbox), and the claim needs
 * `FOR UPDATE SKIP LOCKED`, which is plain PostgreSQL.
 */
@Injectable()
export class WebhookDeliveriesRepository {
  constructor(private readonly sql: Sql) {}

  /**
   * Queues `body` for every webhook of the owner that listens to `event`, in the caller's transaction, in
   * one statement that reads `webhooks` as it inserts, and announces the rows (if any) on commit.
   * Returns how many rows it queued.
   */
  async enqueue(
    tx: SqlClient,
    owner: EventOwner,
    event: WebhookEvent,
    body: string,
  ): Promise<number> {
    const [ownerClause, ownerParam] =
      'userId' in owner
        ? ['w.user_id = $1', owner.userId]
        : ['w.user_id = (SELECT user_id FROM sessions WHERE id = $1)', owner.sessionId];
    const [row] = await tx.query<{ n: number }>(
      `WITH queued AS (
         INSERT INTO webhook_deliveries (webhook_id, message_id, event, body)
         SELECT w.id, 'msg_' || replace(gen_random_uuid()::text, '-', ''), $2::varchar, $3::text
           FROM webhooks w
          WHERE ${ownerClause} AND $2::text = ANY (w.events)
         RETURNING 1),
       notified AS (SELECT pg_notify('${DELIVERY_CHANNEL}', '') FROM (SELECT 1 FROM queued LIMIT 1) one)
       SELECT (SELECT count(*) FROM queued)::int AS n, (SELECT count(*) FROM notified)::int AS notified`,
      [ownerParam, event, body],
    );
    return row.n;
  }

  /** A page of a webhook's deliveries, newest first, before the delivery `beforeId`. */
  async pageOfWebhook(
    webhookId: number,
    beforeId: number | undefined,
    limit: number,
  ): Promise<WebhookDelivery[]> {
    const rows = await this.sql.query<DeliveryRow>(
      `SELECT ${COLUMNS} FROM webhook_deliveries
        WHERE webhook_id = $1 AND ($2::int IS NULL OR id < $2)
        ORDER BY id DESC LIMIT $3`,
      [webhookId, beforeId ?? null, limit],
    );
    return rows.map(toDelivery);
  }

  /**
   * Claims up to `limit` due deliveries for this replica: each gets a lease of `leaseMs` and its attempt
   * counted. Rows another replica is claiming are skipped, not waited for; a lease that ran out (its
   * replica died mid-attempt) makes the row claimable again.
   */
  async claim(limit: number, leaseMs: number, maxAttempts: number): Promise<WebhookDelivery[]> {
    const rows = await this.sql.query<DeliveryRow>(
      `UPDATE webhook_deliveries d
          SET attempts = d.attempts + 1,
              locked_until = now() + make_interval(secs => $2 / 1000.0)
        WHERE d.id IN (
          SELECT id FROM webhook_deliveries
           WHERE status = 'pending' AND next_attempt_at <= now()
             AND (locked_until IS NULL OR locked_until <= now())
             AND attempts < $3
           ORDER BY next_attempt_at, id
           LIMIT $1
           FOR UPDATE SKIP LOCKED)
        RETURNING ${COLUMNS.replace(/(^|, )/g, '$1d.')}`,
      [limit, leaseMs, maxAttempts],
    );
    return rows.map(toDelivery);
  }

  /**
   * Records the end of attempt `attempt`: delivered, failed for good, or due again in `retryInMs`
   * (a bigint: a long back-off passes 2^31 ms). Only while that attempt is still the row's latest
   * (a replica whose lease ran out records nothing).
   */
  async recordAttempt(
    id: number,
    attempt: number,
    result: {
      status: DeliveryStatus;
      statusCode: number | null;
      error: string | null;
      retryInMs?: number;
    },
  ): Promise<void> {
    await this.sql.query(
      `UPDATE webhook_deliveries
          SET status = $3::varchar, last_status_code = $4, last_error = $5, locked_until = NULL,
              delivered_at = CASE WHEN $3::varchar = 'delivered' THEN now() ELSE delivered_at END,
              next_attempt_at = CASE WHEN $6::bigint IS NULL THEN next_attempt_at
                                     ELSE now() + make_interval(secs => $6 / 1000.0) END
        WHERE id = $1 AND attempts = $2 AND status = 'pending'`,
      [id, attempt, result.status, result.statusCode, result.error, result.retryInMs ?? null],
    );
  }

  /** Deliveries whose last attempt's replica died after the final attempt began: they are failed now. */
  async failExhausted(maxAttempts: number): Promise<number> {
    const rows = await this.sql.query(
      `UPDATE webhook_deliveries
          SET status = 'failed', locked_until = NULL,
              last_error = coalesce(last_error, 'the last attempt was interrupted')
        WHERE status = 'pending' AND attempts >= $1 AND (locked_until IS NULL OR locked_until <= now())
        RETURNING id`,
      [maxAttempts],
    );
    return rows.length;
  }

  /** Deletes delivered and failed deliveries older than `days`. */
  async prune(days: number): Promise<number> {
    const rows = await this.sql.query(
      `DELETE FROM webhook_deliveries
        WHERE status <> 'pending' AND created_at < now() - make_interval(days => $1)
        RETURNING id`,
      [days],
    );
    return rows.length;
  }
}
