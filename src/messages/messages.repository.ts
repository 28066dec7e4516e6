import { Injectable } from '@nestjs/common';
import { stripNul } from '../common/validation/no-nul.js';
import { Sql, type SqlClient } from '../database/sql.service.js';
import {
  Message,
  type FinishReason,
  type MessageRole,
  type MessageStatus,
  type PlanItem,
  type TurnOutcome,
} from './message.entity.js';

const COLUMNS =
  'id, session_id, role, content, status, finish_reason, prompt_tokens, completion_tokens, ' +
  'cancel_requested, heartbeat_at, runner_id, created_at, finished_at, version_before, version_after, ' +
  'reasoning, plan, tokens_estimated, context_summary';

interface MessageRow {
  id: number;
  session_id: string;
  role: MessageRole;
  content: string;
  status: MessageStatus;
  finish_reason: FinishReason | null;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  cancel_requested: boolean;
  heartbeat_at: Date | null;
  runner_id: string | null;
  created_at: Date;
  finished_at: Date | null;
  version_before: number | null;
  version_after: number | null;
  reasoning: string | null;
  plan: PlanItem[] | null;
  tokens_estimated: boolean;
  context_summary: string | null;
}

/** The one row mapper of `messages`. */
const toMessage = (r: MessageRow): Message =>
  Object.assign(new Message(), {
    id: r.id,
    sessionId: r.session_id,
    role: r.role,
    content: r.content,
    status: r.status,
    finishReason: r.finish_reason,
    promptTokens: r.prompt_tokens,
    completionTokens: r.completion_tokens,
    cancelRequested: r.cancel_requested,
    heartbeatAt: r.heartbeat_at,
    runnerId: r.runner_id,
    createdAt: r.created_at,
    finishedAt: r.finished_at,
    versionBefore: r.version_before,
    versionAfter: r.version_after,
    reasoning: r.reasoning,
    plan: r.plan,
    tokensEstimated: r.tokens_estimated,
    contextSummary: r.context_summary,
  });

/**
 * Every statement on `messages`. Plain SQL throughout: turn start and end, heartbeats and cancel polls
 * are the hot path of agent runs (see BENCHMARKS.md), and the rest reads pages by the
 * (session_id, id) index the same way.
 */
@Injectable()
export class MessagesRepository {
  constructor(private readonly sql: Sql) {}

  /** Newest first, before `beforeId` when given. */
  async pageOfSession(sessionId: string, beforeId: number | undefined, take: number) {
    const rows = await this.sql.query<MessageRow>(
      `SELECT ${COLUMNS} FROM messages
        WHERE session_id = $1 AND ($2::int IS NULL OR id < $2)
        ORDER BY id DESC LIMIT $3`,
      [sessionId, beforeId ?? null, take],
    );
    return rows.map(toMessage);
  }

  async findById(id: number): Promise<Message | null> {
    const [row] = await this.sql.query<MessageRow>(
      `SELECT ${COLUMNS} FROM messages WHERE id = $1`,
      [id],
    );
    return row ? toMessage(row) : null;
  }

  async latestAssistant(sessionId: string): Promise<Message | null> {
    const [row] = await this.sql.query<MessageRow>(
      `SELECT ${COLUMNS} FROM messages WHERE session_id = $1 AND role = 'assistant'
        ORDER BY id DESC LIMIT 1`,
      [sessionId],
    );
    return row ? toMessage(row) : null;
  }

  /** Up to 200 earlier messages with content, newest first. */
  async historyBefore(sessionId: string, beforeId: number): Promise<Message[]> {
    const rows = await this.sql.query<MessageRow>(
      `SELECT ${COLUMNS} FROM messages
        WHERE session_id = $1 AND id < $2 AND content <> '' ORDER BY id DESC LIMIT 200`,
      [sessionId, beforeId],
    );
    return rows.map(toMessage);
  }

  /** The newest context summary a turn of the session stored before `beforeId`, if any. */
  async latestContextSummary(sessionId: string, beforeId: number): Promise<string | null> {
    const [row] = await this.sql.query<{ context_summary: string }>(
      `SELECT context_summary FROM messages
        WHERE session_id = $1 AND id < $2 AND context_summary IS NOT NULL ORDER BY id DESC LIMIT 1`,
      [sessionId, beforeId],
    );
    return row?.context_summary ?? null;
  }

  async endedAmong(ids: number[]): Promise<Message[]> {
    const rows = await this.sql.query<MessageRow>(
      `SELECT ${COLUMNS} FROM messages WHERE id = ANY($1::int[]) AND status <> 'running'`,
      [ids],
    );
    return rows.map(toMessage);
  }

  async insert(
    tx: SqlClient | undefined,
    m: {
      sessionId: string;
      role: MessageRole;
      content: string;
      status: MessageStatus;
      runnerId?: string;
    },
  ): Promise<Message> {
    const running = m.status === 'running';
    const [row] = await (tx ?? this.sql).query<MessageRow>(
      `INSERT INTO messages (session_id, role, content, status, runner_id, heartbeat_at)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
      [
        m.sessionId,
        m.role,
        m.content,
        m.status,
        running ? (m.runnerId ?? null) : null,
        running ? new Date() : null,
      ],
    );
    return toMessage(row);
  }

  /** Stores a turn's end only while it is still this runner's running turn; null otherwise. */
  async finish(
    tx: SqlClient,
    id: number,
    runnerId: string,
    end: TurnOutcome,
  ): Promise<Message | null> {
    const [row] = await tx.query<MessageRow>(
      `UPDATE messages
          SET status = $3, finish_reason = $4, content = $5, prompt_tokens = $6,
              completion_tokens = $7, version_after = $8, finished_at = now(), reasoning = $9,
              plan = $10::jsonb, tokens_estimated = $11, context_summary = $12
        WHERE id = $1 AND status = 'running' AND runner_id = $2 RETURNING ${COLUMNS}`,
      [
        id,
        runnerId,
        end.status,
        end.finishReason,
        stripNul(end.content),
        end.promptTokens,
        end.completionTokens,
        end.versionAfter ?? null,
        end.reasoning ? stripNul(end.reasoning) : null,
        end.plan ? JSON.stringify(end.plan) : null,
        end.tokensEstimated ?? false,
        end.contextSummary ? stripNul(end.contextSummary) : null,
      ],
    );
    return row ? toMessage(row) : null;
  }

  /** Records the sandbox version a running turn starts from. */
  async setVersionBefore(id: number, version: number): Promise<void> {
    await this.sql.query(`UPDATE messages SET version_before = $2 WHERE id = $1`, [id, version]);
  }

  /** Whether a turn runs in the session; in a caller's transaction that holds the session's row. */
  async hasRunning(tx: SqlClient, sessionId: string): Promise<boolean> {
    const rows = await tx.query(
      `SELECT 1 FROM messages WHERE session_id = $1 AND status = 'running' LIMIT 1`,
      [sessionId],
    );
    return rows.length > 0;
  }

  /**
   * Copies a conversation into a fork: the messages through the turn `throughMessageId` when a turn
   * made the forked version, else those written by `at`; never a turn still running.
   */
  async copyConversation(
    fromSessionId: string,
    toSessionId: string,
    upTo: { throughMessageId: number | null; at: Date },
  ): Promise<void> {
    await this.sql.query(
      `INSERT INTO messages (session_id, role, content, status, finish_reason, prompt_tokens,
                             completion_tokens, created_at, finished_at, reasoning, plan,
                             tokens_estimated, context_summary)
       SELECT $2, role, content, status, finish_reason, prompt_tokens, completion_tokens, created_at,
              finished_at, reasoning, plan, tokens_estimated, context_summary
         FROM messages
        WHERE session_id = $1 AND status <> 'running'
          AND (CASE WHEN $3::int IS NULL THEN created_at <= $4 ELSE id <= $3 END)
        ORDER BY id`,
      [fromSessionId, toSessionId, upTo.throughMessageId, upTo.at],
    );
  }

  /** Flags the session's running turn; its id, or null when none runs. */
  async requestCancel(sessionId: string): Promise<number | null> {
    const [row] = await this.sql.query<{ id: number }>(
      `UPDATE messages SET cancel_requested = true WHERE session_id = $1 AND status = 'running' RETURNING id`,
      [sessionId],
    );
    return row?.id ?? null;
  }

  async cancelRequestedAmong(ids: number[]): Promise<number[]> {
    const rows = await this.sql.query<{ id: number }>(
      `SELECT id FROM messages WHERE id = ANY($1::int[]) AND cancel_requested`,
      [ids],
    );
    return rows.map((r) => r.id);
  }

  async heartbeat(ids: number[], runnerId: string): Promise<number[]> {
    const rows = await this.sql.query<{ id: number }>(
      `UPDATE messages SET heartbeat_at = now()
        WHERE id = ANY($1::int[]) AND status = 'running' AND runner_id = $2 RETURNING id`,
      [ids, runnerId],
    );
    return rows.map((r) => r.id);
  }

  /**
   * Fails running turns: with `runnerId`, that replica's whatever their heartbeat; else those whose
   * heartbeat is older than `staleMs`; with `sessionId`, only that session's. Returns their ids.
   */
  async failStale(
    tx: SqlClient,
    opts: { staleMs: number; sessionId?: string; runnerId?: string; reason: string },
  ): Promise<Message[]> {
    const rows = await tx.query<MessageRow>(
      `UPDATE messages
          SET status = 'failed', finish_reason = 'interrupted', finished_at = now(),
              content = CASE WHEN content = '' THEN $1 ELSE content || E'\\n\\n' || $1 END
        WHERE status = 'running'
          AND ($2::char(32) IS NULL OR session_id = $2)
          AND (($3::varchar IS NOT NULL AND runner_id = $3)
               OR ($3::varchar IS NULL AND heartbeat_at < now() - make_interval(secs => $4 / 1000.0)))
      RETURNING ${COLUMNS}`,
      [opts.reason, opts.sessionId ?? null, opts.runnerId ?? null, opts.staleMs],
    );
    return rows.map(toMessage);
  }

  /**
   * Turns of the user running now (the concurrent-runs cap); the partial unique index on running
   * messages is as small as the number of turns running.
   */
  async countRunningOfUser(userId: number, tx?: SqlClient): Promise<number> {
    const [row] = await (tx ?? this.sql).query<{ n: string }>(
      `SELECT count(*) AS n FROM messages
        WHERE status = 'running' AND session_id IN (SELECT id FROM sessions WHERE user_id = $1)`,
      [userId],
    );
    return Number(row.n);
  }
}
