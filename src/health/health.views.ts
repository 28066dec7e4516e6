import { ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';

/**
 * The shapes Terminus answers with on 200, documented here rather than by `@HealthCheck()`'s own
 * Swagger decorators: those describe a 503 body this service never sends (it answers `{"detail"}`)
 * and put the schema where OpenAPI 3 does not allow one.
 */
export class HealthIndicatorView {
  @ApiProperty({ enum: ['up', 'degraded', 'down'], example: 'up' })
  status!: string;

  @ApiPropertyOptional({
    description: 'why a dependency is degraded',
    example: 'unreachable: rate limits per replica, messages between replicas via PostgreSQL',
  })
  message?: string;
}

const indicators = (description: string, example: object) =>
  ApiProperty({
    description,
    type: 'object',
    additionalProperties: { $ref: getSchemaPath(HealthIndicatorView) },
    example,
  });

export class HealthView {
  @ApiProperty({
    enum: ['ok', 'degraded'],
    example: 'ok',
    description: '`degraded` while Redis (when configured) is unreachable',
  })
  status!: string;

  @indicators('the checks that are up or degraded, by name', { database: { status: 'up' } })
  info!: Record<string, HealthIndicatorView>;

  @indicators('the checks that are down (always empty on 200)', {})
  error!: Record<string, HealthIndicatorView>;

  @indicators('every check, by name', { database: { status: 'up' } })
  details!: Record<string, HealthIndicatorView>;
}
