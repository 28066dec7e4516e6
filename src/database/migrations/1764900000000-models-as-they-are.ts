import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Reasoning, plan, estimated tokens and the condensed summary of a turn (issue #19, models as they are). */
export class ModelsAsTheyAre1764900000000 implements MigrationInterface {
  name = 'ModelsAsTheyAre1764900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE messages
        ADD COLUMN reasoning        text,
        ADD COLUMN plan             jsonb,
        ADD COLUMN tokens_estimated boolean NOT NULL DEFAULT false,
        ADD COLUMN context_summary  text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE messages
        DROP COLUMN context_summary,
        DROP COLUMN tokens_estimated,
        DROP COLUMN plan,
        DROP COLUMN reasoning`);
  }
}
