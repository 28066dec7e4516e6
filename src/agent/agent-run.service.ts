import { Inject, Injectable, Logger } from '@nestjs/common';
import type { AuthUser } from '../auth/auth-user.js';
import { AppError, conflict } from '../common/errors/app-error.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { Message } from '../messages/message.entity.js';
import { toMessageView, toStepView } from '../messages/messages.views.js';
import { ExecutionStepsRepository } from '../messages/execution-steps.repository.js';
import { MessagesService } from '../messages/messages.service.js';
import { PreviewErrorsService } from '../sandbox/preview-errors/preview-errors.service.js';
import { SandboxService, type SandboxScope } from '../sandbox/sandbox.service.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { Sql } from '../database/sql.service.js';
import { HistoryService } from '../versions/history/history.service.js';
import { WebhookOutbox } from '../webhooks/webhook-outbox.service.js';
import { LLM_CLIENT, type LlmClient, type LlmMessage } from './llm/llm-client.js';
import { MODEL_PROFILES, type ModelProfiles } from './llm/model-profiles.js';
import { AgentLoop } from './run/agent-loop.js';
import { DbStepStore } from './run/db-step-store.js';
import { endEvent, type RunListener } from './run/run-events.js';
import type { TurnOutcome, StepState, StopReason } from './run/run-ports.js';
import { RunRegistry } from './run/run-registry.service.js';
import { RunEventBus } from './events/run-event-bus.service.js';
import { ToolRegistry } from './tools/tool-registry.js';

export interface StartedTurn {
  userMessage: Message;
  assistantMessage: Message;
  /** Resolves when the run has ended and its message is stored. */
  finished: Promise<{ message: Message; outcome: TurnOutcome }>;
}

const NOT_CONFIGURED =
  'No LLM provider is configured: set OPENAI_API_KEY (and OPENAI_BASE_URL for a compatible server) and restart';

/** Starts agent turns: stores the messages, runs the loop in the background, records how it ended. */
@Injectable()
export class AgentRunService {
  private readonly logger = new Logger(AgentRunService.name);
  private readonly tools = new ToolRegistry();

  constructor(
    @Inject(LLM_CLIENT) private readonly llm: LlmClient,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly messages: MessagesService,
    private readonly sessions: SessionsService,
    private readonly sandbox: SandboxService,
    private readonly registry: RunRegistry,
    private readonly bus: RunEventBus,
    private readonly steps: ExecutionStepsRepository,
    private readonly history: HistoryService,
    private readonly previewErrors: PreviewErrorsService,
    private readonly outbox: WebhookOutbox,
    private readonly sql: Sql,
    @Inject(MODEL_PROFILES) private readonly profiles: ModelProfiles,
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
    if (!this.llm.configured) {
      await this.messages.storeUserMessage(session, content);
      throw new AppError('unavailable', NOT_CONFIGURED);
    }
    let turn: [Message, Message];
    try {
      turn = await this.messages.beginTurn(session, content, this.registry.runnerId);
    } catch (err) {
      // A turn left by a replica that died must not lock the session: sweep it and try once more.
      if (
        !(err instanceof AppError && err.kind === 'conflict') ||
        (await this.registry.sweepSession(sessionId)) === 0
      ) {
        throw err;
      }
      turn = await this.messages.beginTurn(session, content, this.registry.runnerId);
    }
    const [userMessage, assistantMessage] = turn;
    const messageId = assistantMessage.id;
    // "Undo this turn" restores this; API writes made while the turn runs fall after it.
    assistantMessage.versionBefore = await this.history.head(sessionId);
    await this.messages.setVersionBefore(messageId, assistantMessage.versionBefore);
    const emit: RunListener = (e) => {
      listener?.(e);
      this.bus.publish(messageId, e);
    };
    emit({ event: 'user_message', data: toMessageView(userMessage) });
    const controller = new AbortController();
    const finished = this.execute(
      { userId: user.id, sessionId },
      this.sessions.modelOf(session),
      userMessage,
      assistantMessage,
      controller,
      emit,
    );
    this.registry.register(assistantMessage.id, controller, finished);
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
    const id = await this.messages.requestCancel(session);
    if (id === null) {
      throw conflict('No agent turn is running in this session');
    }
    this.registry.abortLocal(id, 'cancelled');
    return { message: 'Cancellation requested', message_id: id };
  }

  private async execute(
    scope: SandboxScope,
    model: string,
    userMessage: Message,
    assistant: Message,
    controller: AbortController,
    emit: RunListener,
  ): Promise<{ message: Message; outcome: TurnOutcome }> {
    const timeLimit = setTimeout(
      () => controller.abort('time_limit' satisfies StopReason),
      this.config.agent.runTimeoutMs,
    );
    const stepView = (s: StepState) =>
      toStepView({ ...s, sessionId: scope.sessionId, messageId: assistant.id });
    let outcome: TurnOutcome;
    try {
      const history = await this.messages.history(
        { id: scope.sessionId, userId: scope.userId },
        userMessage.id,
        this.config.agent.historyBudgetChars,
      );
      const conversation: LlmMessage[] = [
        ...history.map((m): LlmMessage => ({ role: m.role, content: m.content })),
        { role: 'user', content: userMessage.content },
      ];
      outcome = await new AgentLoop({
        llm: this.llm,
        tools: this.tools,
        toolContext: {
          sandbox: this.sandbox,
          scope: { ...scope, origin: { source: 'agent', messageId: assistant.id } },
          previewErrors: this.previewErrors,
        },
        steps: new DbStepStore(this.steps, scope.sessionId, assistant.id, {
          userId: scope.userId,
          outbox: this.outbox,
          sql: this.sql,
        }),
        observer: {
          step: (s) => emit({ event: 'step', data: stepView(s) }),
          delta: (content) => emit({ event: 'delta', data: { content } }),
          reasoning: (content) => emit({ event: 'reasoning', data: { content } }),
          plan: (items) => emit({ event: 'plan', data: { items } }),
        },
        conversation,
        listFiles: () => this.sandbox.list(scope),
        maxIterations: this.config.agent.maxIterations,
        signal: controller.signal,
        checkpoint: () => this.registry.checkpoint(assistant.id),
        streamIdleMs: this.config.llm.streamIdleMs,
        model,
        maxOutputTokens: this.config.agent.maxOutputTokens,
        maxTokensPerTurn: this.config.agent.maxTokensPerTurn,
        contextTokens: this.config.agent.contextTokens,
        roundRetries: this.config.agent.roundRetries,
        profiles: this.profiles,
      }).run();
    } catch (err) {
      this.logger.error(
        `agent turn ${assistant.id} failed: ${(err as Error).message}`,
        (err as Error).stack,
      );
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
      const stored = await this.messages.finishTurn(assistant.id, this.registry.runnerId, {
        ...outcome,
        versionAfter: await this.history.head(scope.sessionId),
      });
      if (!stored) {
        return await this.swept(assistant.id, emit);
      }
      message = stored;
    } catch (err) {
      this.logger.error(
        `could not store the end of agent turn ${assistant.id}: ${(err as Error).message}`,
      );
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
