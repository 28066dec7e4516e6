import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Webhooks and their delivery queue (issue #12, webhooks). */
export class Webhooks1764800000000 implements MigrationInterface {
  name = 'Webhooks1764800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE webhooks (
        id            serial        PRIMARY KEY,
        user_id       int           NOT NULL,
        url           varchar(2048) NOT NULL,
        events        text[]        NOT NULL,
        secret_sealed text          NOT NULL,
        created_at    timestamptz   NOT NULL DEFAULT now(),
        CONSTRAINT webhooks_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX webhooks_user_idx ON webhooks (user_id, id)`);
    await q.query(`
      CREATE TABLE webhook_deliveries (
        id               serial      PRIMARY KEY,
        webhook_id       int         NOT NULL,
        message_id       varchar(64) NOT NULL,
        event            varchar(32) NOT NULL,
        body             text        NOT NULL,
        status           varchar(16) NOT NULL DEFAULT 'pending',
        attempts         int         NOT NULL DEFAULT 0,
        next_attempt_at  timestamptz NOT NULL DEFAULT now(),
        locked_until     timestamptz,
        last_status_code int,
        last_error       varchar(200),
        created_at       timestamptz NOT NULL DEFAULT now(),
        delivered_at     timestamptz,
        CONSTRAINT webhook_deliveries_status_check CHECK (status IN ('pending', 'delivered', 'failed')),
        CONSTRAINT webhook_deliveries_webhook_id_fkey FOREIGN KEY (webhook_id)
          REFERENCES webhooks (id) ON DELETE CASCADE
      )`);
    await q.query(
      `CREATE INDEX webhook_deliveries_webhook_idx ON webhook_deliveries (webhook_id, id)`,
    );
    await q.query(
      `CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status = 'pending'`,
    );
    await q.query(
      `CREATE INDEX webhook_deliveries_finished_idx ON webhook_deliveries (created_at) WHERE status <> 'pending'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE webhook_deliveries`);
    await q.query(`DROP TABLE webhooks`);
  }
}
