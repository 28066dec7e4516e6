import { describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import type { RunEvent } from '../agent/run/run-events.js';
import { AppError, conflict } from '../common/errors/app-error.js';
import type { AppConfig } from '../config/app-config.js';
import type { HistoryService } from '../history/history.service.js';
import type { Message, TurnOutcome } from '../messages/message.entity.js';
import type { MessagesService } from '../messages/messages.service.js';
import type { SessionsService } from '../sessions/sessions.service.js';
import type { RunEventBus } from './events/run-event-bus.service.js';
import type { RunRegistry } from './run-registry.service.js';
import type { TurnRunner, TurnToRun } from './turn-runner.js';
import type { TurnStateService } from './turn-state.service.js';
import { TurnsService } from './turns.service.js';

const SESSION = 'a'.repeat(32);
const USER = {
  id: 1,
  username: 'ann',
  email: 'ann@example.com',
  tier: 'free',
  role: 'user',
} as const;

const message = (id: number, fields: Partial<Message> = {}): Message =>
  ({
    id,
    sessionId: SESSION,
    role: 'assistant',
    content: '',
    status: 'running',
    finishReason: null,
    promptTokens: null,
    completionTokens: null,
    createdAt: new Date('2026-01-01T00:00:00Z'),
    finishedAt: null,
    versionBefore: null,
    versionAfter: null,
    ...fields,
  }) as Message;

const DONE: TurnOutcome = {
  status: 'completed',
  finishReason: 'completed',
  content: 'Built it.',
  promptTokens: 10,
  completionTokens: 5,
};

/** The turns service over stand-ins for its collaborators; `run` plays the TurnRunner. */
function setUp(opts: {
  run?: (turn: TurnToRun) => Promise<TurnOutcome>;
  configured?: boolean;
  begin?: () => Promise<[Message, Message]>;
  swept?: number;
  finished?: Message | null;
}) {
  const runs: TurnToRun[] = [];
  const finishes: TurnOutcome[] = [];
  const stored: string[] = [];
  let sweeps = 0;
  const runner: TurnRunner = {
    configured: opts.configured ?? true,
    run: (turn) => {
      runs.push(turn);
      return (opts.run ?? (() => Promise.resolve(DONE)))(turn);
    },
  };
  const states = {
    begin: opts.begin ?? (() => Promise.resolve([message(1, { role: 'user' }), message(2)])),
    setVersionBefore: () => Promise.resolve(),
    finish: (_id: number, _runner: string, end: TurnOutcome) => {
      finishes.push(end);
      return Promise.resolve(
        opts.finished === undefined
          ? message(2, { ...end, status: end.status, content: end.content })
          : opts.finished,
      );
    },
  };
  const messages = {
    storeUserMessage: (_s: unknown, content: string) => {
      stored.push(content);
      return Promise.resolve(message(1, { role: 'user', content }));
    },
    findById: (id: number) =>
      Promise.resolve(
        message(id, { status: 'failed', finishReason: 'interrupted', content: 'Interrupted.' }),
      ),
  };
  const sessions = {
    getOwned: () => Promise.resolve({ id: SESSION, userId: USER.id, model: null }),
    modelOf: () => 'gpt-test',
  };
  const registry = {
    runnerId: 'r1',
    register: () => undefined,
    checkpoint: () => Promise.resolve(),
    sweepSession: () => {
      sweeps++;
      return Promise.resolve(opts.swept ?? 0);
    },
  };
  const events: RunEvent[] = [];
  const bus = { publish: (_id: number, e: RunEvent) => events.push(e) };
  const history = { head: () => Promise.resolve(3) };
  const config = { agent: { runTimeoutMs: 60_000 } } as AppConfig;
  const service = new TurnsService(
    runner,
    config,
    states as unknown as TurnStateService,
    messages as unknown as MessagesService,
    sessions as unknown as SessionsService,
    registry as unknown as RunRegistry,
    bus as unknown as RunEventBus,
    history as unknown as HistoryService,
  );
  return { service, runs, finishes, stored, events, sweeps: () => sweeps };
}

describe('TurnsService', () => {
  it('begins a turn, hands it to the runner and stores the runner’s outcome with the version after', async () => {
    const t = setUp({});
    const started = await t.service.start(USER, SESSION, 'make a page');
    const { outcome } = await started.finished;
    expect(t.runs).toEqual([
      expect.objectContaining({
        userId: USER.id,
        sessionId: SESSION,
        model: 'gpt-test',
        assistantMessageId: 2,
      }),
    ]);
    expect(outcome).toEqual(DONE);
    expect(t.finishes).toEqual([{ ...DONE, versionAfter: 3 }]);
    expect(started.assistantMessage.versionBefore).toBe(3);
    expect(t.events.map((e) => e.event)).toEqual(['user_message', 'done']);
  });

  it('records a runner that throws as a failed turn, and says so to its followers', async () => {
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const t = setUp({ run: () => Promise.reject(new Error('boom')) });
    await (
      await t.service.start(USER, SESSION, 'x')
    ).finished;
    expect(t.finishes).toEqual([
      expect.objectContaining({ status: 'failed', finishReason: 'error', versionAfter: 3 }),
    ]);
    jest.restoreAllMocks();
  });

  it('keeps the message and answers 503 when no runner can run turns', async () => {
    const t = setUp({ configured: false });
    await expect(t.service.start(USER, SESSION, 'hello')).rejects.toMatchObject({
      kind: 'unavailable',
    });
    expect(t.stored).toEqual(['hello']);
    expect(t.runs).toEqual([]);
  });

  it('sweeps a dead replica’s turn once and begins again; without one to sweep the 409 stands', async () => {
    let calls = 0;
    const begin = () =>
      ++calls === 1
        ? Promise.reject(conflict('running'))
        : Promise.resolve([message(1, { role: 'user' }), message(2)] as [Message, Message]);
    const retried = setUp({ begin, swept: 1 });
    await (
      await retried.service.start(USER, SESSION, 'x')
    ).finished;
    expect([calls, retried.sweeps()]).toEqual([2, 1]);

    calls = 0;
    const refused = setUp({ begin, swept: 0 });
    await expect(refused.service.start(USER, SESSION, 'x')).rejects.toBeInstanceOf(AppError);
    expect(refused.runs).toEqual([]);
  });

  it('lets the stale sweep’s ending stand when the turn was swept while it ran', async () => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const t = setUp({ finished: null });
    const { message: ended, outcome } = await (await t.service.start(USER, SESSION, 'x')).finished;
    expect(ended.finishReason).toBe('interrupted');
    expect(outcome.finishReason).toBe('interrupted');
    expect(t.events.at(-1)).toEqual({ event: 'error', data: { detail: 'Interrupted.' } });
    jest.restoreAllMocks();
  });
});
