import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Issue #12 (integrations): personal API keys, and users of the company's identity provider. */
export class ApiKeysAndIdentities1764720000000 implements MigrationInterface {
  name = 'ApiKeysAndIdentities1764720000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE api_keys (
        id           serial       PRIMARY KEY,
        user_id      int          NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        name         varchar(100) NOT NULL,
        prefix       varchar(16)  NOT NULL,
        key_hash     char(64)     NOT NULL,
        created_at   timestamptz  NOT NULL DEFAULT now(),
        last_used_at timestamptz,
        expires_at   timestamptz
      )`);
    // Every request with a key looks it up by its hash.
    await q.query(`CREATE UNIQUE INDEX api_keys_key_hash_key ON api_keys (key_hash)`);
    await q.query(`CREATE INDEX api_keys_user_idx ON api_keys (user_id, id)`);
    await q.query(`
      CREATE TABLE user_identities (
        issuer     varchar(2048) NOT NULL,
        subject    varchar(255)  NOT NULL,
        user_id    int           NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        created_at timestamptz   NOT NULL DEFAULT now(),
        PRIMARY KEY (issuer, subject)
      )`);
    await q.query(`CREATE INDEX user_identities_user_idx ON user_identities (user_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE user_identities`);
    await q.query(`DROP TABLE api_keys`);
  }
}
