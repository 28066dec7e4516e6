import { Injectable } from '@nestjs/common';
import {
  decodeCursor,
  Page,
  pageLimit,
  pageOf,
  type PageQueryDto,
} from '../common/http/pagination.js';
import type { OwnedSession } from '../sessions/owned-session.js';
import type { ExecutionStep } from './execution-step.entity.js';
import { ExecutionStepsRepository } from './execution-steps.repository.js';
import type { Message } from './message.entity.js';
import { MessagesRepository } from './messages.repository.js';

const MAX_INT4 = 2_147_483_647;

/** A messages cursor: [id of the oldest message of the page before]. */
const parseMessageCursor = ([id, ...rest]: unknown[]): number | undefined =>
  rest.length === 0 && Number.isInteger(id) && (id as number) > 0 && (id as number) <= MAX_INT4
    ? (id as number)
    : undefined;

/**
 * A session's conversation: its messages and the execution steps of its turns. Methods that act for a
 * user take the `OwnedSession` the ownership check produced (its id and the acting user's). A turn's
 * state (running, ended, cancel asked) is changed only by the turns module (`TurnStateService`).
 */
@Injectable()
export class MessagesService {
  constructor(
    private readonly messages: MessagesRepository,
    private readonly steps: ExecutionStepsRepository,
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
    return (await this.historyWithSummary(session, beforeId, budgetChars)).messages;
  }

  /**
   * The history within the budget and, when older messages were left out, the latest context summary
   * an earlier turn of the session stored, so what those turns did is not lost with them.
   */
  async historyWithSummary(
    session: OwnedSession,
    beforeId: number,
    budgetChars: number,
  ): Promise<{ messages: Message[]; summary: string | null }> {
    const kept: Message[] = [];
    let used = 0;
    let cut = false;
    const earlier = await this.messages.historyBefore(session.id, beforeId);
    for (const m of earlier) {
      used += m.content.length;
      if (used > budgetChars) {
        cut = true;
        break;
      }
      kept.push(m);
    }
    // Only the newest 200 messages are read: more than that is a cut as well.
    cut ||= earlier.length >= 200;
    const summary = cut ? await this.messages.latestContextSummary(session.id, beforeId) : null;
    return { messages: kept.reverse(), summary };
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
}
