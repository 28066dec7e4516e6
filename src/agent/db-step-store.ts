import type { Sql } from '../database/sql.service.js';
import type { ExecutionStepsRepository } from '../messages/execution-steps.repository.js';
import { toStepView } from '../messages/messages.views.js';
import type { WebhookOutbox } from '../webhooks/webhook-outbox.service.js';
import type { StepPatch, StepState, StepStore } from './run/run-ports.js';

/** What a step's end needs to reach the owner's webhooks: who they are and the outbox. */
export interface StepWebhooks {
  userId: number;
  outbox: WebhookOutbox;
  sql: Sql;
}

/** Steps of one assistant message, in PostgreSQL through their repository. */
export class DbStepStore implements StepStore {
  constructor(
    private readonly steps: ExecutionStepsRepository,
    private readonly sessionId: string,
    private readonly messageId: number,
    private readonly webhooks?: StepWebhooks,
  ) {}

  async create(raw: Omit<StepState, 'id'>): Promise<StepState> {
    const { id, step } = await this.steps.insert(this.sessionId, this.messageId, raw);
    return { ...step, id };
  }

  async update(step: StepState, patch: StepPatch): Promise<StepState> {
    const ends =
      (patch.status === 'completed' || patch.status === 'failed') && patch.status !== step.status;
    const hooks = this.webhooks;
    // The cheap check first: without a webhook for step.finished the update stays one statement.
    if (!ends || !hooks || !(await hooks.outbox.wants(hooks.userId, 'step.finished'))) {
      return { ...step, ...(await this.steps.update(step.id, patch)) };
    }
    // The step's end and its deliveries commit together (a transactional outbox).
    return hooks.sql.transaction(async (tx) => {
      const ended: StepState = { ...step, ...(await this.steps.update(step.id, patch, tx)) };
      await hooks.outbox.enqueue(tx, { userId: hooks.userId }, 'step.finished', {
        session_id: this.sessionId,
        message_id: this.messageId,
        step: toStepView({ ...ended, sessionId: this.sessionId, messageId: this.messageId }),
      });
      return ended;
    });
  }
}
