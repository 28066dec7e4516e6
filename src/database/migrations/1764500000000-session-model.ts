import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The model a session's turns use (issue #11); null = the deployment's default (`OPENAI_MODEL`). */
export class SessionModel1764500000000 implements MigrationInterface {
  name = 'SessionModel1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sessions ADD COLUMN model varchar(200)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sessions DROP COLUMN model`);
  }
}
