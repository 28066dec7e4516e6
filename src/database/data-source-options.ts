import type { DataSourceOptions, EntitySchema } from 'typeorm';
import { DEFAULT_DATABASE_POOL, type DatabasePoolConfig } from '../config/app-config.js';
import { MIGRATIONS } from './migrations/index.js';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- TypeORM's own type for an entity class
type EntityClass = Function | EntitySchema;

/**
 * One place that says how the service talks to PostgreSQL: the app, the CLI and the tests use it.
 * The app passes no entities (each feature module registers its own and `autoLoadEntities` collects
 * them); the schema-diff CLI passes them all (`src/cli/entities.ts`).
 */
export function dataSourceOptions(
  url: string,
  pool: DatabasePoolConfig = DEFAULT_DATABASE_POOL,
  entities: EntityClass[] = [],
): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities,
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
