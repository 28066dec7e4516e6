import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { CapsService } from '../caps/caps.service.js';
import { conflict } from '../common/errors/app-error.js';
import {
  decodeCursor,
  Page,
  pageLimit,
  pageOf,
  type PageQueryDto,
} from '../common/http/pagination.js';
import { stripNul } from '../common/validation/no-nul.js';
import { isUniqueViolation } from '../database/pg-errors.js';
import { Sql, type SqlClient } from '../database/sql.service.js';
import { ExecutionStep } from './execution-step.entity.js';
import { Message } from './message.entity.js';

const MESSAGE_COLUMNS =
  'id, session_id, role, content, status, finish_reason, prompt_tokens, completion_tokens, ' +
  'cancel_requested, heartbeat_at, runner_id, created_at, finished_at, version_before, version_after';

interface MessageRow {
  id: number;
  session_id: string;
  role: Message['role'];
  content: string;
  status: Message['status'];
  finish_reason: string | null;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  cancel_requested: boolean;
  heartbeat_at: Date | null;
  runner_id: string | null;
  created_at: Date;
  finished_at: Date | null;
  version_before: number | null;
  version_after: number | null;
}

const MAX_INT4 = 2_147_483_647;

/** A messages cursor: [id of the oldest message of the page before]. */
const parseMessageCursor = ([id, ...rest]: unknown[]): number | undefined =>
  rest.length === 0 && Number.isInteger(id) && (id as number) > 0 && (id as number) <= MAX_INT4
    ? (id as number)
    : undefined;

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
  });

export interface TurnEnd {
  status: 'completed' | 'failed';
  finishReason: string;
  content: string;
  promptTokens: number;
  completionTokens: number;
  /** The sandbox version the turn leaves behind. */
  versionAfter?: number | null;
}

/** A session's conversation and the bookkeeping of agent turns. Callers pass a session the actor owns. */
@Injectable()
export class MessagesService {
  constructor(
    private readonly sql: Sql,
    @InjectRepository(Message) private readonly messages: Repository<Message>,
    @InjectRepository(ExecutionStep) private readonly steps: Repository<ExecutionStep>,
    private readonly caps: CapsService,
  ) {}

  /**
   * A page of the conversation as a chat shows it: the newest `limit` messages, oldest first; the next
   * page holds the `limit` messages just before this one (back in time), oldest first again.
   */
  async list(sessionId: string, query: PageQueryDto): Promise<Page<Message>> {
    const limit = pageLimit(query);
    const beforeId = decodeCursor(query.before, parseMessageCursor);
    const newestFirst = await this.sql.query<MessageRow>(
      `SELECT ${MESSAGE_COLUMNS} FROM messages
        WHERE session_id = $1 AND ($2::int IS NULL OR id < $2)
        ORDER BY id DESC LIMIT $3`,
      [sessionId, beforeId ?? null, limit + 1],
    );
    const page = pageOf(newestFirst.map(toMessage), limit, (oldest) => [oldest.id]);
    return new Page(page.items.reverse(), page.next);
  }

  /** The steps of the session's latest assistant message, in the order the model called the tools. */
  async latestSteps(sessionId: string): Promise<ExecutionStep[]> {
    const latest = await this.latestAssistant(sessionId);
    return latest ? this.stepsOf(latest.id) : [];
  }

  latestAssistant(sessionId: string): Promise<Message | null> {
    return this.messages.findOne({
      where: { sessionId, role: 'assistant' },
      order: { id: 'DESC' },
    });
  }

  stepsOf(messageId: number): Promise<ExecutionStep[]> {
    return this.steps.find({ where: { messageId }, order: { id: 'ASC' } });
  }

  findById(id: number): Promise<Message | null> {
    return this.messages.findOne({ where: { id } });
  }

  /** Earlier messages with content, newest kept first until `budgetChars` is spent, returned oldest first. */
  async history(sessionId: string, beforeId: number, budgetChars: number): Promise<Message[]> {
    const rows = (
      await this.sql.query<MessageRow>(
        `SELECT ${MESSAGE_COLUMNS} FROM messages
          WHERE session_id = $1 AND id < $2 AND content <> '' ORDER BY id DESC LIMIT 200`,
        [sessionId, beforeId],
      )
    ).map(toMessage);
    const kept: Message[] = [];
    let used = 0;
    for (const m of rows) {
      used += m.content.length;
      if (used > budgetChars) {
        break;
      }
      kept.push(m);
    }
    return kept.reverse();
  }

  /** Of the given turns, those that have ended (one query for all the runs a replica follows). */
  async endedAmong(ids: number[]): Promise<Message[]> {
    if (ids.length === 0) {
      return [];
    }
    const rows = await this.sql.query<MessageRow>(
      `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE id = ANY($1::int[]) AND status <> 'running'`,
      [ids],
    );
    return rows.map(toMessage);
  }

  /** Stores a user message on its own (when no run can start, the message is still kept). */
  storeUserMessage(sessionId: string, content: string): Promise<Message> {
    return this.messages.save(
      this.messages.create({ sessionId, role: 'user', content, status: 'completed' }),
    );
  }

  /**
   * Stores the user message and the assistant message of a new turn (`running`) in one transaction.
   * The partial unique index on running messages makes a second turn in the session fail: 409. The
   * user's caps (concurrent runs, tokens today) are checked under their row lock in the same
   * transaction, so parallel starts cannot exceed them: 429.
   */
  async beginTurn(
    userId: number,
    sessionId: string,
    content: string,
    runnerId: string,
  ): Promise<[Message, Message]> {
    try {
      // Plain SQL: when hundreds of turns start at once, this is most of their cost.
      return await this.sql.transaction(async (tx) => {
        await this.caps.assertTurnFits(tx, userId);
        const insert = `INSERT INTO messages (session_id, role, content, status, runner_id, heartbeat_at)
                        VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${MESSAGE_COLUMNS}`;
        const [user] = await tx.query<MessageRow>(insert, [
          sessionId,
          'user',
          content,
          'completed',
          null,
          null,
        ]);
        const [assistant] = await tx.query<MessageRow>(insert, [
          sessionId,
          'assistant',
          '',
          'running',
          runnerId,
          new Date(),
        ]);
        await tx.query(`UPDATE sessions SET updated_at = now() WHERE id = $1`, [sessionId]);
        return [toMessage(user), toMessage(assistant)];
      });
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw conflict(
          'This session is already running an agent turn; wait for it to finish or cancel it',
        );
      }
      throw err;
    }
  }

  /**
   * Stores how a turn ended and adds its tokens to the user's day, in one transaction; only if it is
   * still this runner's running turn: a turn the stale sweep already failed keeps that ending. Null
   * when it was swept.
   */
  async finishTurn(messageId: number, runnerId: string, end: TurnEnd): Promise<Message | null> {
    return this.sql.transaction(async (tx) => {
      const [row] = await tx.query<MessageRow>(
        `UPDATE messages
            SET status = $3, finish_reason = $4, content = $5, prompt_tokens = $6,
                completion_tokens = $7, version_after = $8, finished_at = now()
          WHERE id = $1 AND status = 'running' AND runner_id = $2 RETURNING ${MESSAGE_COLUMNS}`,
        [
          messageId,
          runnerId,
          end.status,
          end.finishReason,
          stripNul(end.content),
          end.promptTokens,
          end.completionTokens,
          end.versionAfter ?? null,
        ],
      );
      if (!row) {
        return null;
      }
      await this.caps.recordTokens(tx, row.session_id, end.promptTokens + end.completionTokens);
      return toMessage(row);
    });
  }

  /** Records the sandbox version a running turn starts from. */
  async setVersionBefore(messageId: number, version: number): Promise<void> {
    await this.sql.query(`UPDATE messages SET version_before = $2 WHERE id = $1`, [
      messageId,
      version,
    ]);
  }

  /** Whether a turn runs in the session; inside a caller's transaction that holds the session's row. */
  async isRunning(db: SqlClient, sessionId: string): Promise<boolean> {
    const rows = await db.query(
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
                             completion_tokens, created_at, finished_at)
       SELECT $2, role, content, status, finish_reason, prompt_tokens, completion_tokens, created_at,
              finished_at
         FROM messages
        WHERE session_id = $1 AND status <> 'running'
          AND (CASE WHEN $3::int IS NULL THEN created_at <= $4 ELSE id <= $3 END)
        ORDER BY id`,
      [fromSessionId, toSessionId, upTo.throughMessageId, upTo.at],
    );
  }

  /** Flags the session's running turn for cancellation; the replica running it sees the flag. */
  async requestCancel(sessionId: string): Promise<number | null> {
    const rows: { id: number }[] = await this.sql.query(
      `UPDATE messages SET cancel_requested = true WHERE session_id = $1 AND status = 'running' RETURNING id`,
      [sessionId],
    );
    return rows[0]?.id ?? null;
  }

  /** Of the given running turns, those someone asked to cancel. One query for all local runs. */
  async cancelRequested(ids: number[]): Promise<number[]> {
    if (ids.length === 0) {
      return [];
    }
    const rows: { id: number }[] = await this.sql.query(
      `SELECT id FROM messages WHERE id = ANY($1::int[]) AND cancel_requested`,
      [ids],
    );
    return rows.map((r) => r.id);
  }

  /** Refreshes this runner's running turns; returns those still running, so a swept one is noticed. */
  async heartbeat(ids: number[], runnerId: string): Promise<number[]> {
    if (ids.length === 0) {
      return [];
    }
    const rows: { id: number }[] = await this.sql.query(
      `UPDATE messages SET heartbeat_at = now()
        WHERE id = ANY($1::int[]) AND status = 'running' AND runner_id = $2 RETURNING id`,
      [ids, runnerId],
    );
    return rows.map((r) => r.id);
  }

  /**
   * Fails turns whose process stopped beating (it died), so their session is not locked forever.
   * With `sessionId`, only that session's; with `runnerId`, that replica's turns whatever their heartbeat.
   * Returns the ids of the turns it failed.
   */
  async failStaleTurns(opts: {
    staleMs: number;
    sessionId?: string;
    runnerId?: string;
    reason: string;
  }): Promise<number[]> {
    return this.sql.transaction(async (tx) => {
      const rows: { id: number }[] = await tx.query(
        `UPDATE messages
            SET status = 'failed', finish_reason = 'interrupted', finished_at = now(),
                content = CASE WHEN content = '' THEN $1 ELSE content || E'\\n\\n' || $1 END
          WHERE status = 'running'
            AND ($2::char(32) IS NULL OR session_id = $2)
            AND (($3::varchar IS NOT NULL AND runner_id = $3)
                 OR ($3::varchar IS NULL AND heartbeat_at < now() - make_interval(secs => $4 / 1000.0)))
        RETURNING id`,
        [opts.reason, opts.sessionId ?? null, opts.runnerId ?? null, opts.staleMs],
      );
      const ids = rows.map((r) => r.id);
      if (ids.length > 0) {
        await tx.query(
          `UPDATE execution_steps SET status = 'failed', progress = 100, error = $2, finished_at = now()
            WHERE message_id = ANY($1::int[]) AND status IN ('pending', 'running')`,
          [ids, 'not finished: the run was interrupted'],
        );
      }
      return ids;
    });
  }
}
