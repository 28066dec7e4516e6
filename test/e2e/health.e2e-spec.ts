import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import jwt from 'jsonwebtoken';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { startTestProcess, TEST_JWT_SECRET, type TestProcess } from '../support/test-app.js';

/** Runs one statement on the server's maintenance database, outside the app's own database. */
async function onServer(sql: string): Promise<void> {
  const url = new URL(process.env.TEST_PG_SERVER_URL!);
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function waitForStatus(t: TestProcess, status: number): Promise<number> {
  const deadline = Date.now() + 15_000;
  let last = 0;
  while (Date.now() < deadline) {
    last = (await t.http.get('/api/health')).status;
    if (last === status) {
      return last;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return last;
}

describe('health', () => {
  describe('GET /api/health', () => {
    let t: TestProcess;
    beforeAll(async () => {
      t = await startTestProcess();
    });
    afterAll(() => t.close());

    it('answers 200 {"status": "ok"} without a token', async () => {
      const res = await t.http.get('/api/health');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(res.body).toEqual(expect.objectContaining({ status: 'ok' }));
    });

    it('ignores a bad or an expired token instead of refusing the probe', async () => {
      const expired = jwt.sign(
        { sub: '1', typ: 'access', exp: Math.floor(Date.now() / 1000) - 60 },
        TEST_JWT_SECRET,
      );
      for (const token of ['not-a-jwt', expired]) {
        const res = await t.http.get('/api/health', { token });
        expect(res.status).toBe(200);
        expect(res.body.status).toBe('ok');
      }
    });
  });

  describe('when the database stops answering', () => {
    let db: TestDatabase;
    let t: TestProcess;
    let name: string;
    beforeAll(async () => {
      db = await createTestDatabase();
      name = new URL(db.url).pathname.slice(1);
      t = await startTestProcess({}, db);
    });
    afterAll(async () => {
      await onServer(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
      await t.close();
      await db.drop();
    });

    it('answers 503 {"detail"} while the database is unreachable and 200 again once it is back', async () => {
      expect((await t.http.get('/api/health')).status).toBe(200);

      await onServer(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
      await onServer(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${name}' AND pid <> pg_backend_pid()`,
      );
      expect(await waitForStatus(t, 503)).toBe(503);
      const down = await t.http.get('/api/health');
      expect(down.status).toBe(503);
      expect(down.body).toEqual({ detail: expect.any(String) });
      expect(down.text).not.toMatch(/does not accept connections|pg_|ECONN|stack/i);

      await onServer(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
      expect(await waitForStatus(t, 200)).toBe(200);
      expect(t.process.exitCode).toBeNull();
    });
  });
});
