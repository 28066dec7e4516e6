import type { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1764000000000 implements MigrationInterface {
  name = 'InitialSchema1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE users (
        id            serial PRIMARY KEY,
        username      varchar(50)  NOT NULL,
        email         varchar(320) NOT NULL,
        password_hash varchar(255) NOT NULL,
        tier          varchar(16)  NOT NULL DEFAULT 'free' CHECK (tier IN ('free', 'pro', 'enterprise')),
        role          varchar(16)  NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'admin')),
        disabled      boolean      NOT NULL DEFAULT false,
        created_at    timestamptz  NOT NULL DEFAULT now()
      )`);
    // Usernames and emails are unique regardless of case.
    await q.query(`CREATE UNIQUE INDEX users_username_lower_key ON users (lower(username))`);
    await q.query(`CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email))`);

    await q.query(`
      CREATE TABLE sessions (
        id            char(32)     PRIMARY KEY,
        user_id       int          NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        title         varchar(200) NOT NULL,
        sandbox_bytes bigint       NOT NULL DEFAULT 0 CHECK (sandbox_bytes >= 0),
        created_at    timestamptz  NOT NULL DEFAULT now(),
        updated_at    timestamptz  NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX sessions_user_updated_idx ON sessions (user_id, updated_at DESC, id)`,
    );

    await q.query(`
      CREATE TABLE messages (
        id                serial      PRIMARY KEY,
        session_id        char(32)    NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        role              varchar(16) NOT NULL CHECK (role IN ('user', 'assistant')),
        content           text        NOT NULL DEFAULT '',
        status            varchar(16) NOT NULL DEFAULT 'completed' CHECK (status IN ('running', 'completed', 'failed')),
        finish_reason     varchar(32),
        prompt_tokens     int,
        completion_tokens int,
        cancel_requested  boolean     NOT NULL DEFAULT false,
        heartbeat_at      timestamptz,
        runner_id         varchar(64),
        created_at        timestamptz NOT NULL DEFAULT now(),
        finished_at       timestamptz
      )`);
    await q.query(`CREATE INDEX messages_session_created_idx ON messages (session_id, id)`);
    // One agent turn per session at a time, enforced by the database so it holds across replicas.
    await q.query(
      `CREATE UNIQUE INDEX messages_one_running_per_session ON messages (session_id) WHERE status = 'running'`,
    );

    await q.query(`
      CREATE TABLE execution_steps (
        id             serial      PRIMARY KEY,
        session_id     char(32)    NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        message_id     int         NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
        iteration      int         NOT NULL,
        tool_call_id   varchar(128),
        tool_name      varchar(64) NOT NULL,
        tool_arguments jsonb       NOT NULL DEFAULT '{}',
        status         varchar(16) NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'completed', 'failed')),
        progress       smallint    NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
        error          text,
        started_at     timestamptz,
        finished_at    timestamptz,
        created_at     timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX execution_steps_message_idx ON execution_steps (message_id, id)`);
    await q.query(`CREATE INDEX execution_steps_session_idx ON execution_steps (session_id)`);

    await q.query(`
      CREATE TABLE sandbox_files (
        id           serial       PRIMARY KEY,
        session_id   char(32)     NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        path         varchar(255) NOT NULL,
        content      bytea        NOT NULL,
        size         int          NOT NULL CHECK (size >= 0),
        content_type varchar(128) NOT NULL,
        created_at   timestamptz  NOT NULL DEFAULT now(),
        updated_at   timestamptz  NOT NULL DEFAULT now(),
        CONSTRAINT sandbox_files_session_path_key UNIQUE (session_id, path)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE sandbox_files`);
    await q.query(`DROP TABLE execution_steps`);
    await q.query(`DROP TABLE messages`);
    await q.query(`DROP TABLE sessions`);
    await q.query(`DROP TABLE users`);
  }
}
