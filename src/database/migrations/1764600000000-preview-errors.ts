import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Runtime errors the preview's injected script reports (issue #11, item 13); the last 50 per session are kept. */
export class PreviewErrors1764600000000 implements MigrationInterface {
  name = 'PreviewErrors1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE preview_errors (
        id         serial      PRIMARY KEY,
        session_id char(32)    NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        kind       varchar(32) NOT NULL
                   CHECK (kind IN ('error', 'unhandledrejection', 'console.error')),
        message    text        NOT NULL,
        source     text,
        line       int,
        "column"   int,
        version    int         NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    // Reads and pruning both walk one session's newest rows.
    await q.query(`CREATE INDEX preview_errors_session_idx ON preview_errors (session_id, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE preview_errors`);
  }
}
