import type { Repository } from 'typeorm';
import type { ExecutionStep } from '../../messages/execution-step.entity.js';
import { stripNul, stripNulDeep } from '../../common/validation/no-nul.js';
import type { StepPatch, StepState, StepStore } from './run-ports.js';

/** Steps of one assistant message, in PostgreSQL: one INSERT per step, one UPDATE per change. */
export class DbStepStore implements StepStore {
  constructor(
    private readonly repo: Repository<ExecutionStep>,
    private readonly sessionId: string,
    private readonly messageId: number,
  ) {}

  async create(raw: Omit<StepState, 'id'>): Promise<StepState> {
    const step = clean(raw);
    const saved = await this.repo.save(
      this.repo.create({ ...step, sessionId: this.sessionId, messageId: this.messageId }),
    );
    return { ...step, id: saved.id };
  }

  async update(step: StepState, rawPatch: StepPatch): Promise<StepState> {
    const patch = clean(rawPatch);
    await this.repo.update(
      { id: step.id },
      patch as Parameters<Repository<ExecutionStep>['update']>[1],
    );
    return { ...step, ...patch };
  }
}

/** Names, arguments and errors come from the model; PostgreSQL text and jsonb refuse U+0000. */
function clean<T extends StepPatch>(step: T): T {
  const out = { ...step };
  if (out.toolName !== undefined) {
    out.toolName = stripNul(out.toolName);
  }
  if (out.toolArguments !== undefined) {
    out.toolArguments = stripNulDeep(out.toolArguments);
  }
  if (typeof out.error === 'string') {
    out.error = stripNul(out.error);
  }
  return out;
}
