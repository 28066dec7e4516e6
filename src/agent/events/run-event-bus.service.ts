import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { RedisConnection } from '../../common/redis/redis.module.js';
import type { AppConfig } from '../../config/app-config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import type { RunEvent, RunListener } from '../run/run-events.js';
import { RunRegistry } from '../run/run-registry.service.js';
import {
  PgNotifyTransport,
  RedisPubSubTransport,
  type RunEventTransport,
} from './run-event-transport.js';

const EVENTS = 'run_events';
const FOLLOW = 'run_follow';
/** Text deltas bound for other replicas are gathered this long, so a token is not a message. */
const DELTA_FLUSH_MS = 40;

interface Wire {
  /** The replica that sent it, so it ignores its own. */
  o: string;
  m: number;
  e?: RunEvent;
  /** The event was too big to carry: the receiver loads the final message itself. */
  ref?: 'done';
}

/**
 * Run events for followers on any replica. Locally, listeners get every event at once. Across
 * replicas, a run's events are forwarded only once some replica follows it (it says so on the
 * `follow` channel), over Redis pub/sub when REDIS_URL is set, else PostgreSQL LISTEN/NOTIFY.
 */
@Injectable()
export class RunEventBus implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(RunEventBus.name);
  private readonly listeners = new Map<number, Set<RunListener>>();
  /** Local runs some other replica follows. */
  private readonly forwarded = new Set<number>();
  private readonly pendingDeltas = new Map<number, { text: string; timer: NodeJS.Timeout }>();
  private readonly transport: RunEventTransport;
  /** Loads a stored message for a `done` sent by reference. */
  doneLoader?: (messageId: number) => Promise<RunEvent | null>;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @InjectDataSource() db: DataSource,
    redis: RedisConnection,
    private readonly registry: RunRegistry,
  ) {
    const subscriber = redis.duplicate();
    // PostgreSQL channels are per database already; Redis ones get the deployment's prefix.
    this.transport =
      redis.client && subscriber
        ? new RedisPubSubTransport(redis.client, subscriber, config.redisPrefix)
        : new PgNotifyTransport(
            config.database.url!,
            (sql, params) => db.query(sql, params),
            'aeio_',
          );
  }

  onModuleInit(): void {
    // Not awaited: a Redis that is down must not keep the service from starting (readiness reports it).
    this.transport
      .start([EVENTS, FOLLOW], (channel, payload) => this.receive(channel, payload))
      .catch((err: Error) =>
        this.logger.warn(`run events across replicas unavailable: ${err.message}`),
      );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.transport.stop();
  }

  /** Delivers an event of a local run to its followers, here and, once asked, on other replicas. */
  publish(messageId: number, event: RunEvent): void {
    this.deliver(messageId, event);
    if (!this.forwarded.has(messageId)) {
      return;
    }
    if (event.event === 'delta') {
      this.bufferDelta(messageId, event.data.content);
      return;
    }
    this.flushDelta(messageId);
    this.send(messageId, event);
    if (event.event === 'done' || event.event === 'error') {
      this.forwarded.delete(messageId);
    }
  }

  /** Listens to a run wherever it runs; returns the unsubscribe function. */
  async follow(messageId: number, listener: RunListener): Promise<() => void> {
    const set = this.listeners.get(messageId) ?? new Set();
    set.add(listener);
    this.listeners.set(messageId, set);
    if (!this.registry.isLocal(messageId)) {
      await this.transport.publish(
        FOLLOW,
        JSON.stringify({ o: this.registry.runnerId, m: messageId } satisfies Wire),
      );
    }
    return () => {
      set.delete(listener);
      if (set.size === 0) {
        this.listeners.delete(messageId);
      }
    };
  }

  private deliver(messageId: number, event: RunEvent): void {
    for (const listener of this.listeners.get(messageId) ?? []) {
      listener(event);
    }
  }

  private bufferDelta(messageId: number, text: string): void {
    const pending = this.pendingDeltas.get(messageId);
    if (pending) {
      pending.text += text;
      return;
    }
    const timer = setTimeout(() => this.flushDelta(messageId), DELTA_FLUSH_MS);
    this.pendingDeltas.set(messageId, { text, timer });
  }

  private flushDelta(messageId: number): void {
    const pending = this.pendingDeltas.get(messageId);
    if (!pending) {
      return;
    }
    clearTimeout(pending.timer);
    this.pendingDeltas.delete(messageId);
    this.send(messageId, { event: 'delta', data: { content: pending.text } });
  }

  private send(messageId: number, event: RunEvent): void {
    const o = this.registry.runnerId;
    let payload = JSON.stringify({ o, m: messageId, e: event } satisfies Wire);
    if (payload.length > this.transport.maxPayload) {
      if (event.event === 'delta') {
        // Split long text so each piece fits.
        const half = Math.ceil(event.data.content.length / 2);
        this.send(messageId, {
          event: 'delta',
          data: { content: event.data.content.slice(0, half) },
        });
        this.send(messageId, { event: 'delta', data: { content: event.data.content.slice(half) } });
        return;
      }
      payload = JSON.stringify({ o, m: messageId, ref: 'done' } satisfies Wire);
    }
    this.transport.publish(EVENTS, payload).catch((err: Error) => {
      this.logger.warn(`could not forward a run event: ${err.message}`);
    });
  }

  private receive(channel: string, payload: string): void {
    let wire: Wire;
    try {
      wire = JSON.parse(payload) as Wire;
    } catch {
      return;
    }
    if (wire.o === this.registry.runnerId) {
      return;
    }
    if (channel === FOLLOW) {
      if (this.registry.isLocal(wire.m)) {
        this.forwarded.add(wire.m);
      }
      return;
    }
    if (wire.e) {
      this.deliver(wire.m, wire.e);
    } else if (wire.ref === 'done' && this.doneLoader && this.listeners.has(wire.m)) {
      void this.doneLoader(wire.m).then((e) => e && this.deliver(wire.m, e));
    }
  }
}
