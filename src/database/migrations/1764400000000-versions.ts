import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The history of every sandbox (issue #10): numbered versions, their per-file changes, and the
 * contents they reference, stored once per session by SHA-256. Sessions that already exist get their
 * current files as version 0 (backfilled here); sessions created later get an empty version 0 lazily.
 */
export class Versions1764400000000 implements MigrationInterface {
  name = 'Versions1764400000000';

  async up(q: QueryRunner): Promise<void> {
    // One row per session: its newest version, how far pruning went, and the bytes its history holds.
    await q.query(`
      CREATE TABLE session_history (
        session_id     char(32) PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE,
        head           int      NOT NULL DEFAULT 0,
        pruned_through int      NOT NULL DEFAULT -1,
        blob_bytes     bigint   NOT NULL DEFAULT 0
      )`);
    await q.query(`
      CREATE TABLE session_versions (
        session_id    char(32)    NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        version       int         NOT NULL,
        source        varchar(16) NOT NULL
                      CHECK (source IN ('api', 'agent', 'restore', 'import', 'fork')),
        message_id    int,
        step_id       int,
        restored_from int,
        created_at    timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (session_id, version)
      )`);
    // No foreign key to session_versions: a pruned version's last change of each file stays as the base.
    await q.query(`
      CREATE TABLE version_changes (
        session_id  char(32)     NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        version     int          NOT NULL,
        path        varchar(255) NOT NULL,
        change      varchar(8)   NOT NULL CHECK (change IN ('added', 'modified', 'deleted')),
        hash_before char(64),
        size_before int,
        hash_after  char(64),
        size_after  int,
        PRIMARY KEY (session_id, version, path)
      )`);
    // "Files as of version v" takes the newest change of each path at or below v.
    await q.query(
      `CREATE INDEX version_changes_path_idx ON version_changes (session_id, path, version DESC)`,
    );
    // Pruning asks whether a content is still referenced.
    await q.query(
      `CREATE INDEX version_changes_after_idx ON version_changes (session_id, hash_after)`,
    );
    await q.query(
      `CREATE INDEX version_changes_before_idx ON version_changes (session_id, hash_before)`,
    );
    // The history's index of contents (what it counts against SANDBOX_HISTORY_MAX_BYTES)...
    await q.query(`
      CREATE TABLE version_blobs (
        session_id char(32) NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        hash       char(64) NOT NULL,
        size       int      NOT NULL,
        PRIMARY KEY (session_id, hash)
      )`);
    // ...and the bytes, behind the ContentStore interface (PostgreSQL today).
    await q.query(`
      CREATE TABLE blob_contents (
        session_id char(32) NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        hash       char(64) NOT NULL,
        content    bytea    NOT NULL,
        PRIMARY KEY (session_id, hash)
      )`);

    await q.query(
      `ALTER TABLE messages ADD COLUMN version_before int, ADD COLUMN version_after int`,
    );
    await q.query(`ALTER TABLE execution_steps ADD COLUMN version int`);

    // Backfill: what each existing session holds now becomes its version 0.
    await q.query(`INSERT INTO session_history (session_id) SELECT id FROM sessions`);
    await q.query(`
      INSERT INTO session_versions (session_id, version, source, created_at)
      SELECT id, 0, 'api', now() FROM sessions`);
    await q.query(`
      INSERT INTO version_changes (session_id, version, path, change, hash_after, size_after)
      SELECT session_id, 0, path, 'added', encode(sha256(content), 'hex'), size FROM sandbox_files`);
    await q.query(`
      INSERT INTO blob_contents (session_id, hash, content)
      SELECT DISTINCT ON (session_id, encode(sha256(content), 'hex'))
             session_id, encode(sha256(content), 'hex'), content
        FROM sandbox_files`);
    await q.query(`
      INSERT INTO version_blobs (session_id, hash, size)
      SELECT session_id, hash, length(content) FROM blob_contents`);
    await q.query(`
      UPDATE session_history h SET blob_bytes = b.n
        FROM (SELECT session_id, sum(size) AS n FROM version_blobs GROUP BY session_id) b
       WHERE b.session_id = h.session_id`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE execution_steps DROP COLUMN version`);
    await q.query(`ALTER TABLE messages DROP COLUMN version_before, DROP COLUMN version_after`);
    await q.query(`DROP TABLE blob_contents`);
    await q.query(`DROP TABLE version_blobs`);
    await q.query(`DROP TABLE version_changes`);
    await q.query(`DROP TABLE session_versions`);
    await q.query(`DROP TABLE session_history`);
  }
}
