import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { RedisConnection } from '../common/redis/redis.module.js';

/**
 * Redis answers PING (only checked when REDIS_URL is set). Redis down is `degraded`, not `down`: the
 * service goes on without it (per-replica rate limits, messages through PostgreSQL), so a load
 * balancer must not take the replica out.
 */
@Injectable()
export class RedisHealthIndicator {
  constructor(
    private readonly redis: RedisConnection,
    private readonly health: HealthIndicatorService,
  ) {}

  get configured(): boolean {
    return this.redis.client !== null;
  }

  async isHealthy(key: string) {
    const indicator = this.health.check(key);
    const degraded = indicator.degraded({
      message: 'unreachable: rate limits per replica, messages between replicas via PostgreSQL',
    });
    if (!this.redis.available) {
      return degraded;
    }
    try {
      // Bounded by REDIS_COMMAND_TIMEOUT_MS (the connection's command timeout).
      return (await this.redis.client!.ping()) === 'PONG' ? indicator.up() : degraded;
    } catch {
      return degraded;
    }
  }
}
