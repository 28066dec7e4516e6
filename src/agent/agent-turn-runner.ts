import { Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { Sql } from '../database/sql.service.js';
import { ExecutionStepsRepository } from '../messages/execution-steps.repository.js';
import type { Message } from '../messages/message.entity.js';
import { MessagesService } from '../messages/messages.service.js';
import { toStepView } from '../messages/messages.views.js';
import { PreviewErrorsService } from '../sandbox/preview-errors/preview-errors.service.js';
import { SandboxService, type SandboxScope } from '../sandbox/sandbox.service.js';
import { WebhookOutbox } from '../webhooks/webhook-outbox.service.js';
import { DbStepStore } from './db-step-store.js';
import { LLM_CLIENT, type LlmClient, type LlmMessage } from './llm/llm-client.js';
import { MODEL_PROFILES, type ModelProfiles } from '../models/model-profiles.js';
import { AgentLoop } from './run/agent-loop.js';
import { earlierSummaryMessage } from './run/condense.js';
import type { RunListener } from './run/run-events.js';
import type { StepState, TurnOutcome } from './run/run-ports.js';
import { ToolRegistry } from './tools/tool-registry.js';

/** A begun turn to run (the turns module's `TurnToRun`). */
export interface AgentTurn {
  userId: number;
  sessionId: string;
  model: string;
  userMessage: Message;
  assistantMessageId: number;
}

/** When to stop and where live events go (the turns module's `TurnControls`). */
export interface AgentTurnControls {
  signal: AbortSignal;
  checkpoint(): Promise<void>;
  emit: RunListener;
}

/**
 * Runs a begun turn in this process: the conversation so far, the agent loop with the sandbox's tools
 * and the LLM client, its steps stored as they go. The turns module's `TurnRunner`; it knows nothing of
 * the turn's own state (running, heartbeats, cancel flags, its end), which the turns module keeps.
 */
@Injectable()
export class AgentTurnRunner {
  private readonly tools = new ToolRegistry();

  constructor(
    @Inject(LLM_CLIENT) private readonly llm: LlmClient,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly messages: MessagesService,
    private readonly sandbox: SandboxService,
    private readonly steps: ExecutionStepsRepository,
    private readonly previewErrors: PreviewErrorsService,
    private readonly outbox: WebhookOutbox,
    private readonly sql: Sql,
    @Inject(MODEL_PROFILES) private readonly profiles: ModelProfiles,
  ) {}

  get configured(): boolean {
    return this.llm.configured;
  }

  async run(turn: AgentTurn, controls: AgentTurnControls): Promise<TurnOutcome> {
    const scope: SandboxScope = { userId: turn.userId, sessionId: turn.sessionId };
    const messageId = turn.assistantMessageId;
    const stepView = (s: StepState) => toStepView({ ...s, sessionId: scope.sessionId, messageId });
    const history = await this.messages.historyWithSummary(
      { id: scope.sessionId, userId: scope.userId },
      turn.userMessage.id,
      this.config.agent.historyBudgetChars,
    );
    const conversation: LlmMessage[] = [
      // History cut for its budget: the last summary an earlier turn stored stands for what was left out.
      ...(history.summary ? [earlierSummaryMessage(history.summary)] : []),
      ...history.messages.map((m): LlmMessage => ({ role: m.role, content: m.content })),
      { role: 'user', content: turn.userMessage.content },
    ];
    return new AgentLoop({
      llm: this.llm,
      tools: this.tools,
      toolContext: {
        sandbox: this.sandbox,
        scope: { ...scope, origin: { source: 'agent', messageId } },
        previewErrors: this.previewErrors,
      },
      steps: new DbStepStore(this.steps, scope.sessionId, messageId, {
        userId: scope.userId,
        outbox: this.outbox,
        sql: this.sql,
      }),
      observer: {
        step: (s) => controls.emit({ event: 'step', data: stepView(s) }),
        delta: (content) => controls.emit({ event: 'delta', data: { content } }),
        reasoning: (content) => controls.emit({ event: 'reasoning', data: { content } }),
        plan: (items) => controls.emit({ event: 'plan', data: { items } }),
      },
      conversation,
      listFiles: () => this.sandbox.list(scope),
      maxIterations: this.config.agent.maxIterations,
      signal: controls.signal,
      checkpoint: () => controls.checkpoint(),
      streamIdleMs: this.config.llm.streamIdleMs,
      model: turn.model,
      maxOutputTokens: this.config.agent.maxOutputTokens,
      maxTokensPerTurn: this.config.agent.maxTokensPerTurn,
      contextTokens: this.config.agent.contextTokens,
      roundRetries: this.config.agent.roundRetries,
      profiles: this.profiles,
      condense: true,
    }).run();
  }
}
