import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator, type HealthCheckResult } from '@nestjs/terminus';
import { AppError } from '../common/errors/app-error.js';
import { Public } from '../common/decorators/public.decorator.js';
import { RedisHealthIndicator } from './redis.health.js';

@Controller('health')
@Public()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly redis: RedisHealthIndicator,
  ) {}

  /** Liveness, and the contract's health check: 200 once the database answers, 503 otherwise. */
  @Get()
  @HealthCheck()
  check() {
    return this.run([() => this.db.pingCheck('database', { timeout: 1500 })]);
  }

  /** Readiness for a load balancer: the database, and Redis when REDIS_URL is set. */
  @Get('ready')
  @HealthCheck()
  ready() {
    return this.run([
      () => this.db.pingCheck('database', { timeout: 1500 }),
      ...(this.redis.configured ? [() => this.redis.isHealthy('redis')] : []),
    ]);
  }

  private async run(checks: Parameters<HealthCheckService['check']>[0]): Promise<HealthCheckResult> {
    try {
      return await this.health.check(checks);
    } catch (err) {
      const down = Object.keys((err as { response?: { error?: object } }).response?.error ?? {});
      throw new AppError('unavailable', `Not ready: ${down.join(', ') || 'a dependency'} unavailable`);
    }
  }
}
