import { Inject, Injectable, Logger } from '@nestjs/common';
import type { AuthUser } from '../users/auth-user.js';
import { AppError, conflict } from '../common/errors/app-error.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { Message } from '../messages/message.entity.js';
import { toMessageView } from '../messages/messages.views.js';
import { MessagesService } from '../messages/messages.service.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { HistoryService } from '../history/history.service.js';
import { endEvent, type RunListener } from '../agent/run/run-events.js';
import type { TurnOutcome, StopReason } from '../agent/run/run-ports.js';
import { RunRegistry } from './run-registry.service.js';
import { RunEventBus } from './events/run-event-bus.service.js';
import { TURN_RUNNER, type TurnRunner, type TurnToRun } from './turn-runner.js';
import { TurnStateService } from './turn-state.service.js';

export interface StartedTurn {
  userMessage: Message;
  assistantMessage: Message;
  /** Resolves when the run has ended and its message is stored. */
  finished: Promise<{ message: Message; outcome: TurnOutcome }>;
}

const NOT_CONFIGURED =
  'No LLM provider is configured: set OPENAI_API_KEY (and OPENAI_BASE_URL for a compatible server) and restart';

/**
 * A turn from start to end: begins it (caps, rows, `run.started`), hands it to the `TurnRunner` in the
 * background under a time limit, and records how it ended (`run.finished`); cancels it from any
 * replica. Its events go to the caller's listener and to followers on every replica.
 */
@Injectable()
export class TurnsService {
  private readonly logger = new Logger(TurnsService.name);

  constructor(
    @Inject(TURN_RUNNER) private readonly runner: TurnRunner,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly states: TurnStateService,
    private readonly messages: MessagesService,
    private readonly sessions: SessionsService,
    private readonly registry: RunRegistry,
    private readonly bus: RunEventBus,
    private readonly history: HistoryService,
  ) {}

  /**
   * Begins a turn in a session the user owns. `listener` hears every event from `user_message` on, so
   * a streaming client misses nothing; the run goes on whether or not anyone listens.
   */
  async start(
    user: AuthUser,
    sessionId: string,
    content: string,
    listener?: RunListener,
  ): Promise<StartedTurn> {
    const session = await this.sessions.getOwned(user.id, sessionId);
    if (!this.runner.configured) {
      await this.messages.storeUserMessage(session, content);
      throw new AppError('unavailable', NOT_CONFIGURED);
    }
    let turn: [Message, Message];
    try {
      turn = await this.states.begin(session, content, this.registry.runnerId);
    } catch (err) {
      // A turn left by a replica that died must not lock the session: sweep it and try once more.
      if (
        !(err instanceof AppError && err.kind === 'conflict') ||
        (await this.registry.sweepSession(sessionId)) === 0
      ) {
        throw err;
      }
      turn = await this.states.begin(session, content, this.registry.runnerId);
    }
    const [userMessage, assistantMessage] = turn;
    const messageId = assistantMessage.id;
    // "Undo this turn" restores this; API writes made while the turn runs fall after it.
    assistantMessage.versionBefore = await this.history.head(sessionId);
    await this.states.setVersionBefore(messageId, assistantMessage.versionBefore);
    const emit: RunListener = (e) => {
      listener?.(e);
      this.bus.publish(messageId, e);
    };
    emit({ event: 'user_message', data: toMessageView(userMessage) });
    const controller = new AbortController();
    const finished = this.execute(
      {
        userId: user.id,
        sessionId,
        model: this.sessions.modelOf(session),
        userMessage,
        assistantMessageId: messageId,
      },
      controller,
      emit,
    );
    this.registry.register(messageId, controller, finished);
    // A streaming caller does not await the end; a failure to store it is logged in execute().
    finished.catch(() => undefined);
    return { userMessage, assistantMessage, finished };
  }

  /** Asks the session's running turn to stop, wherever it runs. */
  async cancel(
    user: AuthUser,
    sessionId: string,
  ): Promise<{ message: string; message_id: number }> {
    const session = await this.sessions.assertOwner(user.id, sessionId);
    const id = await this.states.requestCancel(session);
    if (id === null) {
      throw conflict('No agent turn is running in this session');
    }
    this.registry.abortLocal(id, 'cancelled');
    return { message: 'Cancellation requested', message_id: id };
  }

  private async execute(
    turn: TurnToRun,
    controller: AbortController,
    emit: RunListener,
  ): Promise<{ message: Message; outcome: TurnOutcome }> {
    const id = turn.assistantMessageId;
    const timeLimit = setTimeout(
      () => controller.abort('time_limit' satisfies StopReason),
      this.config.agent.runTimeoutMs,
    );
    let outcome: TurnOutcome;
    try {
      outcome = await this.runner.run(turn, {
        signal: controller.signal,
        checkpoint: () => this.registry.checkpoint(id),
        emit,
      });
    } catch (err) {
      this.logger.error(`agent turn ${id} failed: ${(err as Error).message}`, (err as Error).stack);
      outcome = {
        status: 'failed',
        finishReason: 'error',
        content: 'Failed: an internal error stopped the run.',
        promptTokens: 0,
        completionTokens: 0,
      };
    } finally {
      clearTimeout(timeLimit);
    }
    let message: Message;
    try {
      const stored = await this.states.finish(id, this.registry.runnerId, {
        ...outcome,
        versionAfter: await this.history.head(turn.sessionId),
      });
      if (!stored) {
        return await this.swept(id, emit);
      }
      message = stored;
    } catch (err) {
      this.logger.error(`could not store the end of agent turn ${id}: ${(err as Error).message}`);
      emit({ event: 'error', data: { detail: 'Failed: the end of the run could not be stored' } });
      throw err;
    }
    emit(endEvent(message));
    return { message, outcome };
  }

  /** The sweep failed this turn while it ran (its heartbeats were lost): its ending stands, not ours. */
  private async swept(
    messageId: number,
    emit: RunListener,
  ): Promise<{ message: Message; outcome: TurnOutcome }> {
    this.logger.warn(`agent turn ${messageId} was ended by the stale-run sweep while it ran`);
    const message = await this.messages.findById(messageId);
    if (!message) {
      throw new Error(`agent turn ${messageId} vanished while it ran`);
    }
    emit(endEvent(message));
    return {
      message,
      outcome: {
        status: 'failed',
        finishReason: 'interrupted',
        content: message.content,
        promptTokens: message.promptTokens ?? 0,
        completionTokens: message.completionTokens ?? 0,
      },
    };
  }
}
