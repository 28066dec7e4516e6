import { randomBytes } from 'node:crypto';
import pg from 'pg';

function serverUrl(): string {
  const url = process.env.TEST_PG_SERVER_URL;
  if (!url) {
    throw new Error(
      'TEST_PG_SERVER_URL is unset: run e2e tests through `npm test` (jest globalSetup)',
    );
  }
  return url;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function onServer<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: withDatabase(serverUrl(), 'postgres') });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export interface TestDatabase {
  url: string;
  query<R extends pg.QueryResultRow = Record<string, unknown>>(
    sql: string,
    params?: unknown[],
  ): Promise<R[]>;
  drop(): Promise<void>;
}

/** A fresh, empty database of its own for one test file; the app's migrations build its schema. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `aeio_test_${randomBytes(6).toString('hex')}`;
  await onServer((c) => c.query(`CREATE DATABASE ${name}`));
  const url = withDatabase(serverUrl(), name);
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  // Dropping the database (WITH FORCE) ends idle connections; that is expected, not a test failure.
  pool.on('error', () => undefined);
  return {
    url,
    query: async <R extends pg.QueryResultRow>(sql: string, params?: unknown[]) =>
      (await pool.query<R>(sql, params)).rows,
    drop: async () => {
      await pool.end();
      await onServer((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}
