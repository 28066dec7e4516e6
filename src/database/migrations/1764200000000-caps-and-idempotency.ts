import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Per-user token use by UTC day (the tokens-per-day cap) and stored Idempotency-Key answers. */
export class CapsAndIdempotency1764200000000 implements MigrationInterface {
  name = 'CapsAndIdempotency1764200000000';

  async up(q: QueryRunner): Promise<void> {
    // One row per user and day, bumped when a turn ends: the turn-start check reads one row.
    await q.query(`
      CREATE TABLE user_token_usage (
        user_id int    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        day     date   NOT NULL,
        tokens  bigint NOT NULL DEFAULT 0 CHECK (tokens >= 0),
        PRIMARY KEY (user_id, day)
      )`);

    // The answer is kept as the exact JSON text sent (jsonb would reorder keys), so a replay is byte-identical.
    await q.query(`
      CREATE TABLE idempotency_keys (
        user_id         int          NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        key             varchar(255) NOT NULL,
        request_hash    char(64)     NOT NULL,
        status          varchar(16)  NOT NULL DEFAULT 'in_progress' CHECK (status IN ('in_progress', 'done')),
        response_status smallint,
        response_body   text,
        created_at      timestamptz  NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, key)
      )`);
    await q.query(`CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE idempotency_keys`);
    await q.query(`DROP TABLE user_token_usage`);
  }
}
