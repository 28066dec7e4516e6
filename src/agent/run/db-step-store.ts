import type { ExecutionStepsRepository } from '../../messages/execution-steps.repository.js';
import type { StepPatch, StepState, StepStore } from './run-ports.js';

/** Steps of one assistant message, in PostgreSQL through their repository. */
export class DbStepStore implements StepStore {
  constructor(
    private readonly steps: ExecutionStepsRepository,
    private readonly sessionId: string,
    private readonly messageId: number,
  ) {}

  async create(raw: Omit<StepState, 'id'>): Promise<StepState> {
    const { id, step } = await this.steps.insert(this.sessionId, this.messageId, raw);
    return { ...step, id };
  }

  async update(step: StepState, patch: StepPatch): Promise<StepState> {
    return { ...step, ...(await this.steps.update(step.id, patch)) };
  }
}
