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

  constructor(
    private readonly url: string,
    private readonly notify: (sql: string, params: unknown[]) => Promise<unknown>,
    private readonly prefix: string,
  ) {}

  async publish(channel: string, payload: string): Promise<void> {
    await this.notify('SELECT pg_notify($1, $2)', [this.prefix + channel, payload]);
  }

  async start(channels: string[], handler: TransportHandler): Promise<void> {
    const client = new pg.Client({
      connectionString: this.url,
      application_name: 'aeio-cluster-bus',
    });
    client.on('notification', (n) => handler(n.channel.slice(this.prefix.length), n.payload ?? ''));
    client.on('error', (err) => {
      this.logger.warn(`cluster listener lost its connection: ${err.message}`);
      this.restart(channels, handler);
    });
    await client.connect();
    for (const channel of channels) {
      await client.query(`LISTEN ${pg.escapeIdentifier(this.prefix + channel)}`);
    }
    this.listener = client;
  }

  private restart(channels: string[], handler: TransportHandler): void {
    if (this.stopped) {
      return;
    }
    setTimeout(() => {
      this.start(channels, handler).catch((err: Error) => {
        this.logger.warn(`cluster listener reconnect failed: ${err.message}`);
        this.restart(channels, handler);
      });
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
