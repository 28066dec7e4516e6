import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamicModule, Provider, Type } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ClusterModule } from '../../src/common/cluster/cluster.module.js';
import { RedisModule } from '../../src/common/redis/redis.module.js';
import { loadConfig, type AppConfig } from '../../src/config/app-config.js';
import { AppConfigModule } from '../../src/config/config.module.js';
import { dataSourceOptions } from '../../src/database/data-source-options.js';
import { DatabaseModule } from '../../src/database/database.module.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { TEST_JWT_SECRET } from './test-app.js';

/**
 * The service tier (like immich's "medium" tests): real services and repositories on a real database
 * (a copy of the run's migrated template), built by Nest's testing module without HTTP. The HTTP
 * stack is not loaded at all, which also keeps `@nestjs/throttler` (CommonJS, which Jest's ESM loader
 * cannot have require the ESM-only Nest on Node 20) out of these tests. A test imports the feature
 * modules it exercises (as the app does), so each service gets the repositories its module wires.
 */
export interface ServiceTest {
  module: TestingModule;
  db: TestDatabase;
  config: AppConfig;
  get<T>(type: Type<T>): T;
  close(): Promise<void>;
}

export async function startServiceTest(opts: {
  imports?: (Type | DynamicModule)[];
  providers?: Provider[];
  env?: Record<string, string>;
}): Promise<ServiceTest> {
  const db = await createTestDatabase();
  const config = loadConfig({
    NODE_ENV: 'test',
    JWT_SECRET: TEST_JWT_SECRET,
    DATA_DIR: mkdtempSync(join(tmpdir(), 'aeio-service-')),
    DATABASE_URL: db.url,
    ...opts.env,
  });
  const module = await Test.createTestingModule({
    imports: [
      AppConfigModule.forRoot(config),
      // As src/app.module.ts: each feature module the test imports registers its own entities.
      TypeOrmModule.forRoot({
        ...dataSourceOptions(db.url, { ...config.database.pool, max: 4 }),
        autoLoadEntities: true,
      }),
      DatabaseModule,
      RedisModule,
      ClusterModule,
      ...(opts.imports ?? []),
    ],
    providers: opts.providers ?? [],
  }).compile();
  await module.init();
  return {
    module,
    db,
    config,
    get: (type) => module.get(type),
    close: async () => {
      await module.close();
      await db.drop();
    },
  };
}

/** A user row (no password login: these tests never go through auth); returns its id. */
export async function insertUser(
  db: TestDatabase,
  tier: 'free' | 'pro' | 'enterprise' = 'free',
): Promise<number> {
  const name = `u_${randomBytes(4).toString('hex')}`;
  const [row] = await db.query<{ id: number }>(
    `INSERT INTO users (username, email, password_hash, tier) VALUES ($1, $2, 'x', $3) RETURNING id`,
    [name, `${name}@example.test`, tier],
  );
  return row.id;
}

/** A session row of `userId`; returns its id. */
export async function insertSession(db: TestDatabase, userId: number): Promise<string> {
  const id = randomBytes(16).toString('hex');
  await db.query(`INSERT INTO sessions (id, user_id, title) VALUES ($1, $2, 'service test')`, [
    id,
    userId,
  ]);
  return id;
}
