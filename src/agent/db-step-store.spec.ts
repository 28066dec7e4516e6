import { describe, expect, it } from '@jest/globals';
import type { Sql, SqlClient } from '../database/sql.service.js';
import type { ExecutionStepsRepository } from '../messages/execution-steps.repository.js';
import type { WebhookOutbox } from '../webhooks/webhook-outbox.service.js';
import { DbStepStore } from './db-step-store.js';
import type { StepState } from './run/run-ports.js';

const running: StepState = {
  id: 7,
  iteration: 1,
  toolCallId: 'call_1',
  toolName: 'write_file',
  toolArguments: { filename: 'a.txt' },
  status: 'running',
  progress: 40,
  error: null,
  startedAt: new Date('2026-01-01T00:00:00.000Z'),
  finishedAt: null,
};

/** Records what the store asks of the repository, the outbox and the transaction helper. */
function harness(subscribed: boolean) {
  const calls: string[] = [];
  const tx = { query: () => Promise.resolve([]) } as unknown as SqlClient;
  const steps = {
    update: (_id: number, patch: object, inTx?: SqlClient) => {
      calls.push(inTx === tx ? 'update in tx' : 'update');
      return Promise.resolve(patch);
    },
  } as unknown as ExecutionStepsRepository;
  const enqueued: unknown[] = [];
  const outbox = {
    wants: (userId: number, event: string) => {
      calls.push(`wants ${userId} ${event}`);
      return Promise.resolve(subscribed);
    },
    enqueue: (inTx: SqlClient, owner: unknown, event: string, data: unknown) => {
      calls.push(inTx === tx ? `enqueue ${event} in tx` : `enqueue ${event}`);
      enqueued.push({ owner, data });
      return Promise.resolve();
    },
  } as unknown as WebhookOutbox;
  const sql = {
    transaction: async <T>(fn: (t: SqlClient) => Promise<T>) => {
      calls.push('begin');
      const out = await fn(tx);
      calls.push('commit');
      return out;
    },
  } as unknown as Sql;
  const store = new DbStepStore(steps, 'ab'.repeat(16), 3, { userId: 5, outbox, sql });
  return { store, calls, enqueued };
}

describe('DbStepStore and step.finished', () => {
  it('keeps a progress update a single statement, without asking about webhooks', async () => {
    const h = harness(true);
    await h.store.update(running, { progress: 80 });
    expect(h.calls).toEqual(['update']);
  });

  it("ends a step in one statement when the user's webhooks do not listen to step.finished", async () => {
    const h = harness(false);
    const ended = await h.store.update(running, { status: 'completed', progress: 100 });
    expect(h.calls).toEqual(['wants 5 step.finished', 'update']);
    expect(ended).toMatchObject({ id: 7, status: 'completed', progress: 100 });
  });

  it('records the end and its deliveries in one transaction when a webhook listens', async () => {
    const h = harness(true);
    const finishedAt = new Date('2026-01-01T00:00:01.000Z');
    await h.store.update(running, {
      status: 'failed',
      progress: 100,
      error: 'boom',
      finishedAt,
    });
    expect(h.calls).toEqual([
      'wants 5 step.finished',
      'begin',
      'update in tx',
      'enqueue step.finished in tx',
      'commit',
    ]);
    expect(h.enqueued).toEqual([
      {
        owner: { userId: 5 },
        data: {
          session_id: 'ab'.repeat(16),
          message_id: 3,
          step: expect.objectContaining({
            id: 7,
            message_id: 3,
            status: 'failed',
            error: 'boom',
            finished_at: finishedAt.toISOString(),
            tool_name: 'write_file',
          }),
        },
      },
    ]);
  });
});
