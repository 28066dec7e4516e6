import { Injectable } from '@nestjs/common';
import { ClusterBus } from '../common/cluster/cluster-bus.service.js';
import { TtlCache } from '../common/cache/ttl-cache.js';
import type { SqlClient } from '../database/sql.service.js';
import { WebhookDeliveriesRepository, type EventOwner } from './webhook-deliveries.repository.js';
import type { WebhookEvent } from './webhook.entity.js';
import { WebhooksRepository } from './webhooks.repository.js';

const WEBHOOKS_CHANGED = 'webhooks.changed';
/** How long a replica trusts its memory of a user's subscriptions if a change message is lost. */
const SUBSCRIPTIONS_TTL_MS = 10_000;

/**
 * Where events enter the delivery queue: other modules call `enqueue` inside the transaction that
 * records the event, so the delivery rows commit (or roll back) with it. `wants` is the cheap check the
 * agent's hot path makes before opening a transaction for a step's end.
 */
@Injectable()
export class WebhookOutbox {
  private readonly subscriptions = new TtlCache<number, ReadonlySet<WebhookEvent>>(
    SUBSCRIPTIONS_TTL_MS,
    100_000,
  );

  constructor(
    private readonly deliveries: WebhookDeliveriesRepository,
    private readonly webhooks: WebhooksRepository,
    private readonly cluster: ClusterBus,
  ) {
    cluster.on(WEBHOOKS_CHANGED, (userId) => this.subscriptions.delete(Number(userId)));
  }

  /** Whether any webhook of the user listens to `event` (from memory, refreshed every 10 s at most). */
  async wants(userId: number, event: WebhookEvent): Promise<boolean> {
    let events = this.subscriptions.get(userId);
    if (!events) {
      events = new Set(await this.webhooks.eventsOfUser(userId));
      this.subscriptions.set(userId, events);
    }
    return events.has(event);
  }

  /** Queues the event for each of the owner's webhooks that listen to it, in `tx`. */
  async enqueue(
    tx: SqlClient,
    owner: EventOwner,
    event: WebhookEvent,
    data: Record<string, unknown>,
  ): Promise<void> {
    const body = JSON.stringify({ type: event, timestamp: new Date().toISOString(), data });
    await this.deliveries.enqueue(tx, owner, event, body);
  }

  /** The user's webhooks changed: every replica forgets what it knew of them. */
  changed(userId: number): void {
    this.subscriptions.delete(userId);
    this.cluster.publish(WEBHOOKS_CHANGED, userId);
  }
}
