import { stripNul, stripNulDeep } from '../../common/validation/no-nul.js';
import type { Sql } from '../../database/sql.service.js';
import type { StepPatch, StepState, StepStore } from './run-ports.js';

/** Step fields and their columns. */
const COLUMNS: Record<keyof StepPatch, string> = {
  toolCallId: 'tool_call_id',
  toolName: 'tool_name',
  toolArguments: 'tool_arguments',
  status: 'status',
  progress: 'progress',
  error: 'error',
  startedAt: 'started_at',
  finishedAt: 'finished_at',
  version: 'version',
};

/**
 * Steps of one assistant message, in PostgreSQL: one INSERT per step and one UPDATE per change, each a
 * single round trip (plain SQL: a run writes several per tool call).
 */
export class DbStepStore implements StepStore {
  constructor(
    private readonly db: Sql,
    private readonly sessionId: string,
    private readonly messageId: number,
  ) {}

  async create(raw: Omit<StepState, 'id'>): Promise<StepState> {
    const step = clean(raw);
    const rows: { id: number }[] = await this.db.query(
      `INSERT INTO execution_steps
         (session_id, message_id, iteration, tool_call_id, tool_name, tool_arguments, status, progress,
          error, started_at, finished_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
      [
        this.sessionId,
        this.messageId,
        step.iteration,
        step.toolCallId,
        step.toolName,
        JSON.stringify(step.toolArguments),
        step.status,
        step.progress,
        step.error,
        step.startedAt,
        step.finishedAt,
      ],
    );
    return { ...step, id: rows[0].id };
  }

  async update(step: StepState, rawPatch: StepPatch): Promise<StepState> {
    const patch = clean(rawPatch);
    const sets: string[] = [];
    const values: unknown[] = [step.id];
    for (const [key, value] of Object.entries(patch) as [keyof StepPatch, unknown][]) {
      values.push(key === 'toolArguments' ? JSON.stringify(value) : value);
      sets.push(`${COLUMNS[key]} = $${values.length}`);
    }
    if (sets.length > 0) {
      await this.db.query(`UPDATE execution_steps SET ${sets.join(', ')} WHERE id = $1`, values);
    }
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
