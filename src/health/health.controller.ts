import {
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { ErrorDto } from '../common/openapi/api-errors.js';
import { Controller, Get } from '@nestjs/common';
import {
  HealthCheck,
  HealthCheckService,
  TypeOrmHealthIndicator,
  type HealthCheckResult,
} from '@nestjs/terminus';
import { AppError } from '../common/errors/app-error.js';
import { Public } from '../common/decorators/public.decorator.js';
import { HealthIndicatorView, HealthView } from './health.views.js';
import { RedisHealthIndicator } from './redis.health.js';

// Terminus' own Swagger decorators are off: they document its 503 body, not our `{"detail"}` one.
const HEALTH_CHECK = { noCache: true, swaggerDocumentation: false };

@ApiTags('health')
@ApiExtraModels(HealthIndicatorView)
@Controller('health')
@Public()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly redis: RedisHealthIndicator,
  ) {}

  /** Liveness, and the contract's health check: 200 once the database answers, 503 otherwise. */
  @ApiOperation({ summary: 'Liveness: 200 once the database answers' })
  @ApiOkResponse({ description: 'the database answers', type: HealthView })
  @ApiServiceUnavailableResponse({ description: 'a dependency is down', type: ErrorDto })
  @Get()
  @HealthCheck(HEALTH_CHECK)
  check() {
    return this.run([() => this.db.pingCheck('database', { timeout: 1500 })]);
  }

  /**
   * Readiness for a load balancer: the database, and Redis when REDIS_URL is set. Without Redis the
   * replica still serves (per-replica limits), so Redis down is `degraded` with 200, never 503.
   */
  @ApiOperation({
    summary: 'Readiness: the database, and Redis when configured',
    description:
      '200 `{"status": "ok"}` when all is up; 200 `{"status": "degraded", "info": {"redis": ' +
      '{"status": "degraded", "message"}}}` while Redis is unreachable (rate limits per replica, ' +
      'messages between replicas via PostgreSQL); 503 `{"detail"}` when the database is unreachable.',
  })
  @ApiOkResponse({
    description: 'ready (`ok`), or ready without Redis (`degraded`)',
    type: HealthView,
  })
  @ApiServiceUnavailableResponse({ description: 'the database is down', type: ErrorDto })
  @Get('ready')
  @HealthCheck(HEALTH_CHECK)
  ready() {
    return this.run([
      () => this.db.pingCheck('database', { timeout: 1500 }),
      ...(this.redis.configured ? [() => this.redis.isHealthy('redis')] : []),
    ]);
  }

  private async run(
    checks: Parameters<HealthCheckService['check']>[0],
  ): Promise<HealthCheckResult> {
    try {
      return await this.health.check(checks);
    } catch (err) {
      const down = Object.keys((err as { response?: { error?: object } }).response?.error ?? {});
      throw new AppError(
        'unavailable',
        `Not ready: ${down.join(', ') || 'a dependency'} unavailable`,
      );
    }
  }
}
