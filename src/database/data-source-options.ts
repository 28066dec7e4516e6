import type { DataSourceOptions } from 'typeorm';
import { DEFAULT_DATABASE_POOL, type DatabasePoolConfig } from '../config/app-config.js';
import { ENTITIES } from './entities.js';
import { MIGRATIONS } from './migrations/index.js';

/** One place that says how the service talks to PostgreSQL: the app, the CLI and the tests use it. */
export function dataSourceOptions(
  url: string,
  pool: DatabasePoolConfig = DEFAULT_DATABASE_POOL,
): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsRun: true,
    migrationsTransactionMode: 'all',
    synchronize: false,
    logging: ['error'],
    // Handed to pg.Pool and each pg.Client: every wait on the database is bounded, so an outage is a
    // fast error (503) rather than a hung request.
    extra: {
      max: pool.max,
      application_name: 'aeio-dev-agent',
      connectionTimeoutMillis: pool.connectTimeoutMs,
      statement_timeout: pool.statementTimeoutMs,
      idle_in_transaction_session_timeout: pool.idleInTransactionTimeoutMs,
      query_timeout: pool.queryTimeoutMs,
    },
  };
}
