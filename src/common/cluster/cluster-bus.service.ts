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

interface Envelope {
  /** Topic. */
  t: string;
  /** The replica that sent it; a replica ignores its own messages. */
  o: string;
  p: unknown;
}

export type ClusterHandler = (payload: unknown) => void;

/**
 * Small messages between the replicas of one deployment: Redis pub/sub when REDIS_URL is set, else
 * PostgreSQL LISTEN/NOTIFY (one listening connection per replica). Delivery is best effort: what
 * must not be lost lives in the database, and this only says "look again" or carries live progress.
 */
@Injectable()
export class ClusterBus implements OnModuleInit, OnApplicationShutdown {
  readonly replicaId = `${process.pid}-${randomUUID().slice(0, 8)}`;
  private readonly logger = new Logger(ClusterBus.name);
  private readonly handlers = new Map<string, Set<ClusterHandler>>();
  private readonly transport: ClusterTransport;
  /** The last send of each ordered stream of messages. */
  private readonly queues = new Map<string, Promise<void>>();

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @InjectDataSource() db: DataSource,
    redis: RedisConnection,
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
      .start([CHANNEL], (_channel, raw) => this.receive(raw))
      .catch((err: Error) =>
        this.logger.warn(`messages between replicas unavailable: ${err.message}`),
      );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.transport.stop();
  }

  /**
   * Bytes left in one message for this payload in its envelope (negative: it does not fit). Measured in
   * UTF-8 bytes, as the transports limit them: PostgreSQL refuses a NOTIFY payload of 8000 bytes or more.
   */
  room(topic: string, payload: unknown): number {
    return this.transport.maxPayload - Buffer.byteLength(this.envelope(topic, payload));
  }

  fits(topic: string, payload: unknown): boolean {
    return this.room(topic, payload) >= 0;
  }

  /**
   * Sends to the other replicas (not to this one). Messages with the same `orderKey` go out one after
   * another, so they arrive in order: LISTEN/NOTIFY sent on different pool connections could overtake.
   */
  publish(topic: string, payload: unknown, orderKey?: string): void {
    const envelope = this.envelope(topic, payload);
    if (Buffer.byteLength(envelope) > this.transport.maxPayload) {
      this.logger.warn(`"${topic}" is too big to send to other replicas; dropped`);
      return;
    }
    const send = () =>
      this.transport.publish(CHANNEL, envelope).catch((err: Error) => {
        this.logger.warn(`could not send "${topic}" to other replicas: ${err.message}`);
      });
    if (orderKey === undefined) {
      void send();
      return;
    }
    const next = (this.queues.get(orderKey) ?? Promise.resolve()).then(send);
    this.queues.set(orderKey, next);
    void next.then(() => {
      if (this.queues.get(orderKey) === next) {
        this.queues.delete(orderKey);
      }
    });
  }

  on(topic: string, handler: ClusterHandler): void {
    const set = this.handlers.get(topic) ?? new Set();
    set.add(handler);
    this.handlers.set(topic, set);
  }

  private envelope(topic: string, payload: unknown): string {
    return JSON.stringify({ t: topic, o: this.replicaId, p: payload } satisfies Envelope);
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
    for (const handler of this.handlers.get(envelope.t) ?? []) {
      handler(envelope.p);
    }
  }
}
