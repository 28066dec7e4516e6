import {
  Global,
  Inject,
  Injectable,
  Logger,
  Module,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { Redis } from 'ioredis';
import type { AppConfig } from '../../config/app-config.js';
import { APP_CONFIG } from '../../config/config.module.js';

/** After a command fails or times out, Redis is skipped for this long before it is tried again. */
const BREAKER_MS = 2000;

/**
 * The shared Redis connection, or null when REDIS_URL is unset (one replica, in-memory counters).
 * Callers ask `available` before each use and fall back (per-replica counters, PostgreSQL
 * notifications) while it is false, so a Redis outage costs no request any waiting: the connection
 * queues nothing while disconnected, each command is bounded by REDIS_COMMAND_TIMEOUT_MS, and a
 * command that fails opens a short breaker. The outage is logged once when it starts and once when
 * it ends.
 */
@Injectable()
export class RedisConnection implements OnApplicationShutdown {
  readonly client: Redis | null;
  private readonly logger = new Logger('Redis');
  private readonly listeners = new Set<(up: boolean) => void>();
  /** Undefined until Redis is first reached or an outage at start-up is certain (then logged too). */
  private up: boolean | undefined;
  /** Connection attempts that failed before Redis was ever reached. */
  private failedAtStart = 0;
  private skipUntil = 0;
  private closing = false;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.client = config.redisUrl
      ? new Redis(config.redisUrl, {
          // Fail at once while disconnected instead of queueing behind a dead socket.
          enableOfflineQueue: false,
          maxRetriesPerRequest: 0,
          commandTimeout: config.redisCommandTimeoutMs,
          connectTimeout: Math.max(1000, config.redisCommandTimeoutMs * 4),
        })
      : null;
    this.client?.on('ready', () => this.changed(true));
    this.client?.on('close', () => this.closed());
    // ioredis reconnects by itself; the outage is logged by `changed`, not per error.
    this.client?.on('error', () => undefined);
  }

  /** Whether Redis can be used now: connected, and no command failed in the last moments. */
  get available(): boolean {
    return this.up === true && Date.now() >= this.skipUntil;
  }

  /** A command failed (or timed out): use the fallback for a moment, then try Redis again. */
  failed(err: Error): void {
    this.skipUntil = Date.now() + BREAKER_MS;
    if (this.up) {
      this.logger.warn(`Redis command failed (${err.message}); using the fallback for a moment`);
    }
  }

  /** Calls `listener(up)` whenever Redis comes or goes. */
  onChange(listener: (up: boolean) => void): void {
    this.listeners.add(listener);
  }

  /**
   * A second connection for SUBSCRIBE (a subscribed connection can do nothing else). It waits for
   * Redis however long it takes and subscribes again after a reconnect.
   */
  duplicate(): Redis | null {
    if (!this.client) {
      return null;
    }
    const subscriber = this.client.duplicate({
      enableOfflineQueue: true,
      maxRetriesPerRequest: null,
      commandTimeout: undefined,
    });
    subscriber.on('error', () => undefined);
    return subscriber;
  }

  /**
   * A connection attempt at start-up can fail although Redis is fine: the connect and ready-check
   * timeouts are timers, and while the process boots (or shares a busy machine) its event loop can
   * stall longer than they last, so a timer fires before the reply that had arrived is read. Logged as
   * an outage, such a blip made every replica log a spurious "unavailable"/"is back" pair at start-up.
   * So before Redis was ever reached, only a second failed attempt in a row (ioredis retries at once)
   * counts as an outage; a drop of an established connection counts at once, as before.
   */
  private closed(): void {
    if (this.up === undefined && ++this.failedAtStart < 2) {
      return;
    }
    this.changed(false);
  }

  private changed(up: boolean): void {
    if (up === this.up || this.closing) {
      return;
    }
    const first = this.up === undefined;
    this.up = up;
    this.skipUntil = 0;
    if (up && first) {
      this.logger.log('Redis connected');
    } else if (up) {
      this.logger.log('Redis is back: rate limits and messages between replicas use it again');
    } else {
      this.logger.warn(
        'Redis unavailable: rate limits fall back to per-replica counters, messages between ' +
          'replicas to PostgreSQL, until it is back',
      );
    }
    this.listeners.forEach((l) => l(up));
  }

  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    await this.client?.quit().catch(() => undefined);
  }
}

@Global()
@Module({ providers: [RedisConnection], exports: [RedisConnection] })
export class RedisModule {}
