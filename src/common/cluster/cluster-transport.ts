import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import pg from 'pg';

export type TransportHandler = (channel: string, payload: string) => void;

/** Carries small messages between replicas. */
export interface ClusterTransport {
  /** Largest payload it carries, in UTF-8 bytes; bigger messages are split or sent by reference. */
  readonly maxPayload: number;
  publish(channel: string, payload: string): Promise<void>;
  start(channels: string[], handler: TransportHandler): Promise<void>;
  stop(): Promise<void>;
}

/** PostgreSQL LISTEN/NOTIFY: no extra infrastructure, one listening connection per replica. */
export class PgNotifyTransport implements ClusterTransport {
  /** PostgreSQL takes NOTIFY payloads under 8000 bytes; a little is kept back as a margin. */
  readonly maxPayload = 7900;
  private readonly logger = new Logger(PgNotifyTransport.name);
  private listener?: pg.Client;
  private stopped = false;
  /** Set while the listening connection is lost, so the outage is logged once, not per retry. */
  private lostSince = 0;

  constructor(
    private readonly url: string,
    private readonly notify: (sql: string, params: unknown[]) => Promise<unknown>,
    private readonly prefix: string,
    /** Names the listening connection (`application_name`) and its log lines. */
    private readonly name = 'cluster',
  ) {}

  async publish(channel: string, payload: string): Promise<void> {
    await this.notify('SELECT pg_notify($1, $2)', [this.prefix + channel, payload]);
  }

  /** Listens; if the connection is lost (the database restarts), it reconnects every second. */
  async start(channels: string[], handler: TransportHandler): Promise<void> {
    const client = new pg.Client({
      connectionString: this.url,
      application_name: `aeio-${this.name}-bus`,
      connectionTimeoutMillis: 3000,
    });
    let lost = false;
    // 'error' and 'end' may both come for one loss: one reconnect, and never an unhandled 'error'.
    const lose = (err?: Error) => {
      if (lost) {
        return;
      }
      lost = true;
      if (this.listener === client) {
        this.listener = undefined;
      }
      client.end().catch(() => undefined);
      if (this.lostSince === 0 && !this.stopped) {
        this.lostSince = Date.now();
        this.logger.warn(
          `${this.name} listener lost its connection (${err?.message ?? 'closed'}); reconnecting`,
        );
      }
      this.restart(channels, handler);
    };
    client.on('notification', (n) => handler(n.channel.slice(this.prefix.length), n.payload ?? ''));
    client.on('error', lose);
    client.on('end', () => lose());
    try {
      await client.connect();
      for (const channel of channels) {
        await client.query(`LISTEN ${pg.escapeIdentifier(this.prefix + channel)}`);
      }
    } catch (err) {
      lose(err as Error);
      throw err;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.listener = client;
    if (this.lostSince !== 0) {
      this.logger.log(
        `${this.name} listener connected again after ${Math.round((Date.now() - this.lostSince) / 1000)} s`,
      );
      this.lostSince = 0;
    }
  }

  private restart(channels: string[], handler: TransportHandler): void {
    if (this.stopped) {
      return;
    }
    // A failed attempt schedules the next one itself (through `lose`).
    setTimeout(() => {
      this.start(channels, handler).catch(() => undefined);
    }, 1000).unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.listener?.end().catch(() => undefined);
  }
}

/** Redis pub/sub, when REDIS_URL is set. */
export class RedisPubSubTransport implements ClusterTransport {
  readonly maxPayload = 512 * 1024;

  constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    private readonly prefix: string,
  ) {}

  async publish(channel: string, payload: string): Promise<void> {
    await this.publisher.publish(this.prefix + channel, payload);
  }

  async start(channels: string[], handler: TransportHandler): Promise<void> {
    this.subscriber.on('message', (channel: string, payload: string) =>
      handler(channel.slice(this.prefix.length), payload),
    );
    await this.subscriber.subscribe(...channels.map((c) => this.prefix + c));
  }

  async stop(): Promise<void> {
    await this.subscriber.quit().catch(() => undefined);
  }
}
