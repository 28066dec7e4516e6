import { randomUUID } from 'node:crypto';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../../config/app-config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { RedisConnection } from '../redis/redis.module.js';
import {
  PgNotifyTransport,
  RedisPubSubTransport,
  type ClusterTransport,
} from './cluster-transport.js';

const CHANNEL = 'cluster';
/** After Redis returns, messages also go through PostgreSQL this long, while every replica resubscribes. */
const OVERLAP_MS = 5000;
/** How many recent message ids a replica remembers to drop a message that came both ways. */
const SEEN_IDS = 4096;

interface Envelope {
  /** Message id, so a message carried by both transports is handled once. */
  i: string;
  /** Topic. */
  t: string;
  /** The replica that sent it; a replica ignores its own messages. */
  o: string;
  p: unknown;
}

export type ClusterHandler = (payload: unknown) => void;

/**
 * Small messages between the replicas of one deployment: Redis pub/sub when REDIS_URL is set and Redis
 * is up, else PostgreSQL LISTEN/NOTIFY. With Redis configured every replica listens on both, so a
 * message sent either way arrives while Redis comes and goes; a message is sent one way, except for a
 * few seconds after Redis returns when it goes both ways and receivers drop the second copy by its id.
 * Delivery is best effort: what must not be lost lives in the database, and this only says "look
 * again" or carries live progress.
 */
@Injectable()
export class ClusterBus implements OnModuleInit, OnApplicationShutdown {
  readonly replicaId = `${process.pid}-${randomUUID().slice(0, 8)}`;
  private readonly logger = new Logger(ClusterBus.name);
  private readonly handlers = new Map<string, Set<ClusterHandler>>();
  private readonly pg: ClusterTransport;
  private readonly redisTransport: ClusterTransport | null;
  private readonly seen = new Set<string>();
  private overlapUntil = 0;
  private sequence = 0;
  /** The last send of each ordered stream of messages. */
  private readonly queues = new Map<string, Promise<void>>();

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @InjectDataSource() db: DataSource,
    private readonly redis: RedisConnection,
  ) {
    // PostgreSQL channels are per database already; Redis ones get the deployment's prefix.
    this.pg = new PgNotifyTransport(
      config.database.url!,
      (sql, params) => db.query(sql, params),
      'aeio_',
    );
    const subscriber = redis.duplicate();
    this.redisTransport =
      redis.client && subscriber
        ? new RedisPubSubTransport(redis.client, subscriber, config.redisPrefix)
        : null;
    redis.onChange((up) => {
      this.overlapUntil = up ? Date.now() + OVERLAP_MS : 0;
    });
  }

  onModuleInit(): void {
    // Not awaited: a Redis that is down must not keep the service from starting (readiness reports it).
    for (const transport of [this.pg, this.redisTransport]) {
      transport
        ?.start([CHANNEL], (_channel, raw) => this.receive(raw))
        .catch((err: Error) =>
          this.logger.warn(`messages between replicas unavailable: ${err.message}`),
        );
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([this.pg.stop(), this.redisTransport?.stop()]);
  }

  /**
   * Bytes left in one message for this payload in its envelope (negative: it does not fit). Measured in
   * UTF-8 bytes, as the transports limit them, against PostgreSQL's limit (a NOTIFY payload must stay
   * under 8000 bytes) whenever it may carry the message: always, since it is the fallback of Redis.
   */
  room(topic: string, payload: unknown): number {
    return this.pg.maxPayload - Buffer.byteLength(this.envelope(topic, payload, this.sequence + 1));
  }

  fits(topic: string, payload: unknown): boolean {
    return this.room(topic, payload) >= 0;
  }

  /**
   * Sends to the other replicas (not to this one). Messages with the same `orderKey` go out one after
   * another, so they arrive in order: LISTEN/NOTIFY sent on different pool connections could overtake.
   */
  publish(topic: string, payload: unknown, orderKey?: string): void {
    const envelope = this.envelope(topic, payload, ++this.sequence);
    if (Buffer.byteLength(envelope) > this.pg.maxPayload) {
      this.logger.warn(`"${topic}" is too big to send to other replicas; dropped`);
      return;
    }
    if (orderKey === undefined) {
      void this.send(topic, envelope);
      return;
    }
    const next = (this.queues.get(orderKey) ?? Promise.resolve()).then(() =>
      this.send(topic, envelope),
    );
    this.queues.set(orderKey, next);
    void next.then(() => {
      if (this.queues.get(orderKey) === next) {
        this.queues.delete(orderKey);
      }
    });
  }

  /** Through Redis while it is up, else (or when Redis fails under it) through PostgreSQL; never rejects. */
  private async send(topic: string, envelope: string): Promise<void> {
    const warn = (err: Error) =>
      this.logger.warn(`could not send "${topic}" to other replicas: ${err.message}`);
    if (!this.viaRedis()) {
      await this.pg.publish(CHANNEL, envelope).catch(warn);
      return;
    }
    const overlap = Date.now() < this.overlapUntil;
    await Promise.all([
      this.redisTransport!.publish(CHANNEL, envelope).catch((err: Error) => {
        // Redis failed under this message: send it the other way (a copy that got through is dropped).
        this.redis.failed(err);
        return overlap ? undefined : this.pg.publish(CHANNEL, envelope).catch(warn);
      }),
      overlap ? this.pg.publish(CHANNEL, envelope).catch(warn) : undefined,
    ]);
  }

  on(topic: string, handler: ClusterHandler): void {
    const set = this.handlers.get(topic) ?? new Set();
    set.add(handler);
    this.handlers.set(topic, set);
  }

  private envelope(topic: string, payload: unknown, sequence: number): string {
    const id = `${this.replicaId}:${sequence}`;
    return JSON.stringify({ i: id, t: topic, o: this.replicaId, p: payload } satisfies Envelope);
  }

  private viaRedis(): boolean {
    return this.redisTransport !== null && this.redis.available;
  }

  private receive(raw: string): void {
    let envelope: Envelope;
    try {
      envelope = JSON.parse(raw) as Envelope;
    } catch {
      return;
    }
    if (envelope.o === this.replicaId) {
      return;
    }
    // Messages of a replica from before ids existed have none, and are taken as they come.
    if (typeof envelope.i === 'string') {
      if (this.seen.has(envelope.i)) {
        return;
      }
      this.remember(envelope.i);
    }
    for (const handler of this.handlers.get(envelope.t) ?? []) {
      handler(envelope.p);
    }
  }

  private remember(id: string): void {
    this.seen.add(id);
    if (this.seen.size > SEEN_IDS) {
      // A Set iterates in insertion order: the first one is the oldest.
      this.seen.delete(this.seen.values().next().value!);
    }
  }
}
