import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CapsService } from '../../src/caps/caps.service.js';
import { AppError } from '../../src/common/errors/app-error.js';
import { Sql } from '../../src/database/sql.service.js';
import { SessionsRepository } from '../../src/sessions/sessions.repository.js';
import { TurnStateService } from '../../src/turns/turn-state.service.js';
import { TurnsModule } from '../../src/turns/turns.module.js';
import {
  insertSession,
  insertUser,
  startServiceTest,
  type ServiceTest,
} from '../support/service-module.js';

const kindOf = (err: unknown) => (err instanceof AppError ? err.kind : err);
const done = (tokens: number) => ({
  status: 'completed' as const,
  finishReason: 'completed' as const,
  content: 'done',
  promptTokens: tokens,
  completionTokens: 0,
});

// A turn's life is TurnStateService (begin/finish); CapsService bounds it with the running count it passes.
describe('turns: begin, finish and the caps that bound them (real database, no HTTP)', () => {
  let s: ServiceTest;
  let turns: TurnStateService;
  let caps: CapsService;
  let sessions: SessionsRepository;
  beforeAll(async () => {
    s = await startServiceTest({
      imports: [TurnsModule],
      env: { LIMIT_CONCURRENT_RUNS_FREE: '2', LIMIT_TOKENS_PER_DAY_FREE: '100' },
    });
    turns = s.get(TurnStateService);
    caps = s.get(CapsService);
    sessions = s.get(SessionsRepository);
  });
  afterAll(() => s.close());

  const owned = async (userId?: number) => {
    const user = userId ?? (await insertUser(s.db));
    return { id: await insertSession(s.db, user), userId: user };
  };

  it('begins a turn as a user message and a running reply; a second turn in the session is a conflict', async () => {
    const session = await owned();
    const [user, assistant] = await turns.begin(session, 'build a page', 'runner-a');
    expect([user.role, user.status, assistant.role, assistant.status]).toEqual([
      'user',
      'completed',
      'assistant',
      'running',
    ]);
    expect(await turns.begin(session, 'again', 'runner-a').catch(kindOf)).toBe('conflict');
    await turns.finish(assistant.id, 'runner-a', done(0));
    expect((await turns.begin(session, 'after', 'runner-a'))[1].status).toBe('running');
  });

  it("finishes a turn only for the runner that holds it, adding its tokens to the user's day", async () => {
    const session = await owned();
    const [, assistant] = await turns.begin(session, 'go', 'runner-a');
    expect(await turns.finish(assistant.id, 'runner-b', done(30))).toBeNull();
    const finished = await turns.finish(assistant.id, 'runner-a', done(30));
    expect(finished).toMatchObject({ status: 'completed', promptTokens: 30 });
    expect(
      (
        await caps.usage(session.userId, {
          sessions: () => sessions.countOfUser(session.userId),
          storageBytes: () => sessions.storageOfUser(session.userId),
          running: () => turns.countRunningOfUser(session.userId),
        })
      ).usage.tokens_today,
    ).toBe(30);
  });

  it("bounds a user's running turns across sessions, and their day's tokens", async () => {
    const userId = await insertUser(s.db);
    const a = await turns.begin(await owned(userId), 'a', 'r');
    await turns.begin(await owned(userId), 'b', 'r');
    expect(await turns.begin(await owned(userId), 'c', 'r').catch(kindOf)).toBe('rate_limited');
    await turns.finish(a[1].id, 'r', done(100));
    // A run slot is free again, but the day's 100 tokens are spent.
    const err = await turns.begin(await owned(userId), 'd', 'r').catch((e: unknown) => e);
    expect(kindOf(err)).toBe('rate_limited');
    expect((err as AppError).message).toMatch(/tokens a day/);
    const sql = s.get(Sql);
    expect(
      await sql
        .transaction((tx) =>
          caps.assertTurnFits(tx, userId, () => turns.countRunningOfUser(userId, tx)),
        )
        .catch(kindOf),
    ).toBe('rate_limited');
  });
});
