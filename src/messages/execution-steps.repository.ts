import { Injectable } from '@nestjs/common';
import { stripNul, stripNulDeep } from '../common/validation/no-nul.js';
import { Sql, type SqlClient } from '../database/sql.service.js';
import { ExecutionStep, type StepStatus } from './execution-step.entity.js';

const COLUMNS =
  'id, session_id, message_id, iteration, tool_call_id, tool_name, tool_arguments, status, ' +
  'progress, error, started_at, finished_at, version, created_at';

interface StepRow {
  id: number;
  session_id: string;
  message_id: number;
  iteration: number;
  tool_call_id: string | null;
  tool_name: string;
  tool_arguments: Record<string, unknown>;
  status: StepStatus;
  progress: number;
  error: string | null;
  started_at: Date | null;
  finished_at: Date | null;
  version: number | null;
  created_at: Date;
}

/** The one row mapper of `execution_steps`. */
const toStep = (r: StepRow): ExecutionStep =>
  Object.assign(new ExecutionStep(), {
    id: r.id,
    sessionId: r.session_id,
    messageId: r.message_id,
    iteration: r.iteration,
    toolCallId: r.tool_call_id,
    toolName: r.tool_name,
    toolArguments: r.tool_arguments,
    status: r.status,
    progress: r.progress,
    error: r.error,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    version: r.version,
    createdAt: r.created_at,
  });

/** The fields of a step the agent loop writes. */
export type StepFields = Pick<
  ExecutionStep,
  | 'iteration'
  | 'toolCallId'
  | 'toolName'
  | 'toolArguments'
  | 'status'
  | 'progress'
  | 'error'
  | 'startedAt'
  | 'finishedAt'
>;
/** What a step's later writes may change: its fields, and the sandbox version its tool call made. */
export type StepChanges = Partial<Omit<StepFields, 'iteration'> & Pick<ExecutionStep, 'version'>>;

/** Step fields and their columns. */
const CHANGE_COLUMNS: Record<keyof StepChanges, string> = {
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
 * Every statement on `execution_steps`. Plain SQL: a run writes several per tool call (one INSERT per
 * step, one UPDATE per change, each a single round trip), and the reads follow the message index.
 */
@Injectable()
export class ExecutionStepsRepository {
  constructor(private readonly sql: Sql) {}

  async ofMessage(messageId: number): Promise<ExecutionStep[]> {
    const rows = await this.sql.query<StepRow>(
      `SELECT ${COLUMNS} FROM execution_steps WHERE message_id = $1 ORDER BY id`,
      [messageId],
    );
    return rows.map(toStep);
  }

  /** Inserts a step; names, arguments and errors come from the model, so U+0000 is stripped. */
  async insert(
    sessionId: string,
    messageId: number,
    raw: StepFields,
  ): Promise<{ id: number; step: StepFields }> {
    const step = clean(raw);
    const [row] = await this.sql.query<{ id: number }>(
      `INSERT INTO execution_steps
         (session_id, message_id, iteration, tool_call_id, tool_name, tool_arguments, status, progress,
          error, started_at, finished_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
      [
        sessionId,
        messageId,
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
    return { id: row.id, step };
  }

  /** Writes the given fields only (in `tx` when given); returns them as stored (cleaned). */
  async update<T extends StepChanges>(id: number, raw: T, tx?: SqlClient): Promise<T> {
    const changes = clean(raw);
    const sets: string[] = [];
    const values: unknown[] = [id];
    for (const [key, value] of Object.entries(changes) as [keyof StepChanges, unknown][]) {
      values.push(key === 'toolArguments' ? JSON.stringify(value) : value);
      sets.push(`${CHANGE_COLUMNS[key]} = $${values.length}`);
    }
    if (sets.length > 0) {
      await (tx ?? this.sql).query(
        `UPDATE execution_steps SET ${sets.join(', ')} WHERE id = $1`,
        values,
      );
    }
    return changes;
  }

  /** Closes the unfinished steps of turns that were failed, in the transaction that failed them. */
  async failUnfinished(tx: SqlClient, messageIds: number[], error: string): Promise<void> {
    await tx.query(
      `UPDATE execution_steps SET status = 'failed', progress = 100, error = $2, finished_at = now()
        WHERE message_id = ANY($1::int[]) AND status IN ('pending', 'running')`,
      [messageIds, error],
    );
  }
}

/** PostgreSQL text and jsonb refuse U+0000. */
function clean<T extends StepChanges>(step: T): T {
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
