import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runCli } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

describe('the database schema', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase({ empty: true });
  });

  afterAll(async () => {
    await db.drop();
  });

  it('is what the entities describe once the migrations have run (the schema diff is empty)', async () => {
    const run = await runCli('schema-diff', [], { DATABASE_URL: db.url });
    // The statements TypeORM would still run are the failure message: each one is a disagreement.
    expect({ code: run.code, pending: run.stdout.trim().split('\n').filter(Boolean) }).toEqual({
      code: 0,
      pending: [],
    });
    expect(run.stderr).toBe('');
  });

  it('holds a table for every table the migrations create, and only those', async () => {
    const tables = await db.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`,
    );
    expect(tables.map((t) => t.table_name).sort()).toEqual([
      'api_keys',
      'blob_contents',
      'execution_steps',
      'idempotency_keys',
      'messages',
      'migrations',
      'preview_errors',
      'sandbox_files',
      'session_history',
      'session_versions',
      'sessions',
      'user_identities',
      'user_token_usage',
      'users',
      'version_blobs',
      'version_changes',
      'webhook_deliveries',
      'webhooks',
    ]);
  });
});
