import type { Repository } from 'typeorm';
import type { ExecutionStep } from '../../messages/execution-step.entity.js';
import type { StepPatch, StepState, StepStore } from './run-ports.js';

/** Steps of one assistant message, in PostgreSQL: one INSERT per step, one UPDATE per change. */
export class DbStepStore implements StepStore {
  constructor(
    private readonly repo: Repository<ExecutionStep>,
    private readonly sessionId: string,
    private readonly messageId: number,
  ) {}

  async create(step: Omit<StepState, 'id'>): Promise<StepState> {
    const saved = await this.repo.save(
      this.repo.create({ ...step, sessionId: this.sessionId, messageId: this.messageId }),
    );
    return { ...step, id: saved.id };
  }

  async update(step: StepState, patch: StepPatch): Promise<StepState> {
    await this.repo.update({ id: step.id }, patch as Parameters<Repository<ExecutionStep>['update']>[1]);
    return { ...step, ...patch };
  }
}
