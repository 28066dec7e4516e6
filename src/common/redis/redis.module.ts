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

/** The shared Redis connection, or null when REDIS_URL is unset (one replica, in-memory counters). */
@Injectable()
export class RedisConnection implements OnApplicationShutdown {
  readonly client: Redis | null;
  private readonly logger = new Logger('Redis');
  private lastWarning = 0;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.client = config.redisUrl
      ? this.watch(
          new Redis(config.redisUrl, { maxRetriesPerRequest: 2, enableOfflineQueue: true }),
        )
      : null;
  }

  /**
   * A second connection for SUBSCRIBE (a subscribed connection can do nothing else). It waits for
   * Redis however long it takes and subscribes again after a reconnect.
   */
  duplicate(): Redis | null {
    return this.client ? this.watch(this.client.duplicate({ maxRetriesPerRequest: null })) : null;
  }

  /** ioredis reconnects by itself; say so in the log at most every 10 s instead of crashing. */
  private watch(redis: Redis): Redis {
    redis.on('error', (err: Error) => {
      if (Date.now() - this.lastWarning > 10_000) {
        this.lastWarning = Date.now();
        this.logger.warn(`Redis unavailable: ${err.message}`);
      }
    });
    return redis;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client?.quit().catch(() => undefined);
  }
}

@Global()
@Module({ providers: [RedisConnection], exports: [RedisConnection] })
export class RedisModule {}
