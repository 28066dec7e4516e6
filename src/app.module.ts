import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, Reflector } from '@nestjs/core';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AdminModule } from './admin/admin.module.js';
import { AgentModule } from './agent/agent.module.js';
import { AuthModule } from './auth/auth.module.js';
import { JwtAuthGuard } from './auth/guards/jwt-auth.guard.js';
import { ClusterModule } from './common/cluster/cluster.module.js';
import { LoggingModule } from './common/logging/logging.module.js';
import { RedisConnection, RedisModule } from './common/redis/redis.module.js';
import { AllExceptionsFilter } from './common/filters/all-exceptions.filter.js';
import { throttlerOptions } from './common/throttling/throttling.js';
import type { AppConfig } from './config/app-config.js';
import { APP_CONFIG, AppConfigModule } from './config/config.module.js';
import { dataSourceOptions } from './database/data-source-options.js';
import { DatabaseModule } from './database/database.module.js';
import { HealthModule } from './health/health.module.js';
import { SandboxModule } from './sandbox/sandbox.module.js';
import { SessionsModule } from './sessions/sessions.module.js';
import { TurnsModule } from './turns/turns.module.js';
import { UsersModule } from './users/users.module.js';
import { VersionsModule } from './versions/versions.module.js';
import { WebhooksModule } from './webhooks/webhooks.module.js';

@Module({})
export class AppModule {
  /** The whole service for one validated configuration (`npm run docs:api` builds it in preview mode). */
  static forRoot(config: AppConfig & { database: { url: string } }): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(config),
        LoggingModule,
        TypeOrmModule.forRoot({
          ...dataSourceOptions(config.database.url, config.database.pool),
          // Each feature module registers its own entities (TypeOrmModule.forFeature).
          autoLoadEntities: true,
        }),
        DatabaseModule,
        RedisModule,
        ClusterModule,
        ThrottlerModule.forRootAsync({
          inject: [APP_CONFIG, Reflector, RedisConnection],
          useFactory: (cfg: AppConfig, reflector: Reflector, redis: RedisConnection) =>
            throttlerOptions(cfg, reflector, redis),
        }),
        HealthModule,
        UsersModule,
        AuthModule,
        SessionsModule,
        TurnsModule,
        SandboxModule,
        AgentModule,
        VersionsModule,
        AdminModule,
        WebhooksModule,
      ],
      providers: [
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
        // Order matters: authenticate first, so the rate limiter can count per user and tier.
        { provide: APP_GUARD, useClass: JwtAuthGuard },
        { provide: APP_GUARD, useClass: ThrottlerGuard },
      ],
    };
  }
}
