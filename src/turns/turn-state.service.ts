import { Injectable } from '@nestjs/common';
import { CapsService } from '../caps/caps.service.js';
import { conflict } from '../common/errors/app-error.js';
import { isUniqueViolation } from '../database/pg-errors.js';
import { Sql, type SqlClient } from '../database/sql.service.js';
import { ExecutionStepsRepository } from '../messages/execution-steps.repository.js';
import type { Message, TurnOutcome } from '../messages/message.entity.js';
import { MessagesRepository } from '../messages/messages.repository.js';
import { toMessageView } from '../messages/messages.views.js';
import type { OwnedSession } from '../sessions/owned-session.js';
import { SessionsRepository } from '../sessions/sessions.repository.js';
import { WebhookOutbox } from '../webhooks/webhook-outbox.service.js';

/**
 * Every change of a turn's state, and every question about it. A turn's state is the columns of its
 * assistant message (`running` → `completed`/`failed`, runner, heartbeat, cancel flag), written
 * through the messages repository; no other module changes them. Each transition commits together
 * with the webhook events it emits (`run.started`, `run.finished`).
 */
@Injectable()
export class TurnStateService {
  constructor(
    private readonly sql: Sql,
    private readonly messages: MessagesRepository,
    private readonly steps: ExecutionStepsRepository,
    private readonly sessions: SessionsRepository,
    private readonly caps: CapsService,
    private readonly outbox: WebhookOutbox,
  ) {}

  /**
   * Stores the user message and the assistant message of a new turn (`running`) in one transaction.
   * The partial unique index on running messages makes a second turn in the session fail: 409. The
   * user's caps (concurrent runs, tokens today) are checked under their row lock in the same
   * transaction, so parallel starts cannot exceed them: 429.
   */
  async begin(
    session: OwnedSession,
    content: string,
    runnerId: string,
  ): Promise<[Message, Message]> {
    const sessionId = session.id;
    try {
      return await this.sql.transaction(async (tx) => {
        await this.caps.assertTurnFits(tx, session.userId, () =>
          this.countRunningOfUser(session.userId, tx),
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
  async finish(messageId: number, runnerId: string, end: TurnOutcome): Promise<Message | null> {
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
  async failStale(opts: {
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

  /** Of the given turns, those that have ended (one query for all the runs a replica follows). */
  async endedAmong(ids: number[]): Promise<Message[]> {
    return ids.length === 0 ? [] : this.messages.endedAmong(ids);
  }

  /** Whether a turn runs in the session; a restore asks under the session's lock, inside `tx`. */
  hasRunning(tx: SqlClient, sessionId: string): Promise<boolean> {
    return this.messages.hasRunning(tx, sessionId);
  }

  /** How many turns the user has running now, in all their sessions (their concurrent-runs cap). */
  countRunningOfUser(userId: number, tx?: SqlClient): Promise<number> {
    return this.messages.countRunningOfUser(userId, tx);
  }
}
