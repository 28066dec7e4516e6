import { Injectable } from '@nestjs/common';
import { CapsService } from '../caps/caps.service.js';
import { conflict } from '../common/errors/app-error.js';
import {
  decodeCursor,
  Page,
  pageLimit,
  pageOf,
  type PageQueryDto,
} from '../common/http/pagination.js';
import { isUniqueViolation } from '../database/pg-errors.js';
import { Sql } from '../database/sql.service.js';
import type { OwnedSession } from '../sessions/owned-session.js';
import { SessionsRepository } from '../sessions/sessions.repository.js';
import { WebhookOutbox } from '../webhooks/webhook-outbox.service.js';
import type { ExecutionStep } from './execution-step.entity.js';
import { ExecutionStepsRepository } from './execution-steps.repository.js';
import type { Message, TurnOutcome } from './message.entity.js';
import { MessagesRepository } from './messages.repository.js';
import { toMessageView } from './messages.views.js';

const MAX_INT4 = 2_147_483_647;

/** A messages cursor: [id of the oldest message of the page before]. */
const parseMessageCursor = ([id, ...rest]: unknown[]): number | undefined =>
  rest.length === 0 && Number.isInteger(id) && (id as number) > 0 && (id as number) <= MAX_INT4
    ? (id as number)
    : undefined;

/**
 * A session's conversation and the bookkeeping of agent turns. Methods that act for a user take the
 * `OwnedSession` the ownership check produced (its id and the acting user's); the run registry's
 * methods act for this replica on the turns it runs.
 */
@Injectable()
export class MessagesService {
  constructor(
    private readonly sql: Sql,
    private readonly messages: MessagesRepository,
    private readonly steps: ExecutionStepsRepository,
    private readonly sessions: SessionsRepository,
    private readonly caps: CapsService,
    private readonly outbox: WebhookOutbox,
  ) {}

  /**
   * A page of the conversation as a chat shows it: the newest `limit` messages, oldest first; the next
   * page holds the `limit` messages just before this one (back in time), oldest first again.
   */
  async list(session: OwnedSession, query: PageQueryDto): Promise<Page<Message>> {
    const limit = pageLimit(query);
    const beforeId = decodeCursor(query.before, parseMessageCursor);
    const newestFirst = await this.messages.pageOfSession(session.id, beforeId, limit + 1);
    const page = pageOf(newestFirst, limit, (oldest) => [oldest.id]);
    return new Page(page.items.reverse(), page.next);
  }

  /** The steps of the session's latest assistant message, in the order the model called the tools. */
  async latestSteps(session: OwnedSession): Promise<ExecutionStep[]> {
    const latest = await this.latestAssistant(session);
    return latest ? this.steps.ofMessage(latest.id) : [];
  }

  latestAssistant(session: OwnedSession): Promise<Message | null> {
    return this.messages.latestAssistant(session.id);
  }

  /** The steps of a turn the caller found through an owned session (or runs itself). */
  stepsOf(messageId: number): Promise<ExecutionStep[]> {
    return this.steps.ofMessage(messageId);
  }

  findById(id: number): Promise<Message | null> {
    return this.messages.findById(id);
  }

  /** Earlier messages with content, newest kept first until `budgetChars` is spent, returned oldest first. */
  async history(session: OwnedSession, beforeId: number, budgetChars: number): Promise<Message[]> {
    const kept: Message[] = [];
    let used = 0;
    for (const m of await this.messages.historyBefore(session.id, beforeId)) {
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
    return ids.length === 0 ? [] : this.messages.endedAmong(ids);
  }

  /** How many turns the user has running now, in all their sessions. */
  countRunningOfUser(userId: number): Promise<number> {
    return this.messages.countRunningOfUser(userId);
  }

  /** Stores a user message on its own (when no run can start, the message is still kept). */
  storeUserMessage(session: OwnedSession, content: string): Promise<Message> {
    return this.messages.insert(undefined, {
      sessionId: session.id,
      role: 'user',
      content,
      status: 'completed',
    });
  }

  /**
   * Stores the user message and the assistant message of a new turn (`running`) in one transaction.
   * The partial unique index on running messages makes a second turn in the session fail: 409. The
   * user's caps (concurrent runs, tokens today) are checked under their row lock in the same
   * transaction, so parallel starts cannot exceed them: 429.
   */
  async beginTurn(
    session: OwnedSession,
    content: string,
    runnerId: string,
  ): Promise<[Message, Message]> {
    const sessionId = session.id;
    try {
      return await this.sql.transaction(async (tx) => {
        await this.caps.assertTurnFits(tx, session.userId, () =>
          this.messages.countRunningOfUser(session.userId, tx),
        );
        const user = await this.messages.insert(tx, {
          sessionId,
          role: 'user',
          content,
          status: 'completed',
        });
        const assistant = await this.messages.insert(tx, {
          sessionId,
          role: 'assistant',
          content: '',
          status: 'running',
          runnerId,
        });
        await this.sessions.touch(tx, sessionId);
        await this.outbox.enqueue(tx, { userId: session.userId }, 'run.started', {
          session_id: sessionId,
          message_id: assistant.id,
          user_message_id: user.id,
          started_at: assistant.createdAt.toISOString(),
        });
        return [user, assistant];
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
   * Stores how a turn ended, adds its tokens to the user's day and marks the session active, in one
   * transaction with its `run.finished` webhook deliveries; only if it is still this runner's running
   * turn: a turn the stale sweep already failed keeps that ending. Null when it was swept.
   */
  async finishTurn(messageId: number, runnerId: string, end: TurnOutcome): Promise<Message | null> {
    return this.sql.transaction(async (tx) => {
      const message = await this.messages.finish(tx, messageId, runnerId, end);
      if (!message) {
        return null;
      }
      await this.caps.recordTokens(tx, message.sessionId, end.promptTokens + end.completionTokens);
      await this.sessions.touch(tx, message.sessionId);
      await this.outbox.enqueue(tx, { sessionId: message.sessionId }, 'run.finished', {
        session_id: message.sessionId,
        message_id: message.id,
        message: toMessageView(message),
      });
      return message;
    });
  }

  /** Records the sandbox version a turn this replica runs starts from ("undo this turn" restores it). */
  setVersionBefore(messageId: number, version: number): Promise<void> {
    return this.messages.setVersionBefore(messageId, version);
  }

  /**
   * Copies the conversation of `from` into the fork `to` (both the acting user's): the messages through
   * the turn `throughMessageId` when a turn made the forked version, else those written by `at`; never
   * a turn still running.
   */
  async copyConversation(
    from: OwnedSession,
    to: OwnedSession,
    upTo: { throughMessageId: number | null; at: Date },
  ): Promise<void> {
    await this.messages.copyConversation(from.id, to.id, upTo);
  }

  /** Flags the session's running turn for cancellation; the replica running it sees the flag. */
  requestCancel(session: OwnedSession): Promise<number | null> {
    return this.messages.requestCancel(session.id);
  }

  /** Of the given running turns, those someone asked to cancel. One query for all local runs. */
  async cancelRequested(ids: number[]): Promise<number[]> {
    return ids.length === 0 ? [] : this.messages.cancelRequestedAmong(ids);
  }

  /** Refreshes this runner's running turns; returns those still running, so a swept one is noticed. */
  async heartbeat(ids: number[], runnerId: string): Promise<number[]> {
    return ids.length === 0 ? [] : this.messages.heartbeat(ids, runnerId);
  }

  /**
   * Fails turns whose process stopped beating (it died), so their session is not locked forever.
   * With `sessionId`, only that session's; with `runnerId`, that replica's turns whatever their heartbeat.
   * Returns the ids of the turns it failed; each one's `run.finished` is queued in the same transaction.
   */
  async failStaleTurns(opts: {
    staleMs: number;
    sessionId?: string;
    runnerId?: string;
    reason: string;
  }): Promise<number[]> {
    return this.sql.transaction(async (tx) => {
      const swept = await this.messages.failStale(tx, opts);
      const ids = swept.map((m) => m.id);
      if (ids.length > 0) {
        await this.steps.failUnfinished(tx, ids, 'not finished: the run was interrupted');
      }
      for (const message of swept) {
        await this.outbox.enqueue(tx, { sessionId: message.sessionId }, 'run.finished', {
          session_id: message.sessionId,
          message_id: message.id,
          message: toMessageView(message),
        });
      }
      return ids;
    });
  }
}
