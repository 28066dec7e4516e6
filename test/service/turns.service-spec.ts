import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CapsService } from '../../src/caps/caps.service.js';
import { AppError } from '../../src/common/errors/app-error.js';
import { Sql } from '../../src/database/sql.service.js';
import { MessagesService } from '../../src/messages/messages.service.js';
import { WebhookOutbox } from '../../src/webhooks/webhook-outbox.service.js';
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

// Today the turn's life is MessagesService (begin/finish) and CapsService (running turns per user).
describe('turns: begin, finish and the caps that bound them (real database, no HTTP)', () => {
  let s: ServiceTest;
  let messages: MessagesService;
  let caps: CapsService;
  beforeAll(async () => {
    s = await startServiceTest({
      providers: [MessagesService, CapsService, WebhookOutbox],
      env: { LIMIT_CONCURRENT_RUNS_FREE: '2', LIMIT_TOKENS_PER_DAY_FREE: '100' },
    });
    messages = s.get(MessagesService);
    caps = s.get(CapsService);
  });
  afterAll(() => s.close());

  const owned = async (userId?: number) => {
    const user = userId ?? (await insertUser(s.db));
    return { id: await insertSession(s.db, user), userId: user };
  };

  it('begins a turn as a user message and a running reply; a second turn in the session is a conflict', async () => {
    const session = await owned();
    const [user, assistant] = await messages.beginTurn(session, 'build a page', 'runner-a');
    expect([user.role, user.status, assistant.role, assistant.status]).toEqual([
      'user',
      'completed',
      'assistant',
      'running',
    ]);
    expect(await messages.beginTurn(session, 'again', 'runner-a').catch(kindOf)).toBe('conflict');
    await messages.finishTurn(assistant.id, 'runner-a', done(0));
    expect((await messages.beginTurn(session, 'after', 'runner-a'))[1].status).toBe('running');
  });

  it("finishes a turn only for the runner that holds it, adding its tokens to the user's day", async () => {
    const session = await owned();
    const [, assistant] = await messages.beginTurn(session, 'go', 'runner-a');
    expect(await messages.finishTurn(assistant.id, 'runner-b', done(30))).toBeNull();
    const finished = await messages.finishTurn(assistant.id, 'runner-a', done(30));
    expect(finished).toMatchObject({ status: 'completed', promptTokens: 30 });
    expect((await caps.usage(session.userId)).usage.tokens_today).toBe(30);
  });

  it("bounds a user's running turns across sessions, and their day's tokens", async () => {
    const userId = await insertUser(s.db);
    const a = await messages.beginTurn(await owned(userId), 'a', 'r');
    await messages.beginTurn(await owned(userId), 'b', 'r');
    expect(await messages.beginTurn(await owned(userId), 'c', 'r').catch(kindOf)).toBe(
      'rate_limited',
    );
    await messages.finishTurn(a[1].id, 'r', done(100));
    // A run slot is free again, but the day's 100 tokens are spent.
    const err = await messages.beginTurn(await owned(userId), 'd', 'r').catch((e: unknown) => e);
    expect(kindOf(err)).toBe('rate_limited');
    expect((err as AppError).message).toMatch(/tokens a day/);
    const sql = s.get(Sql);
    expect(await sql.transaction((tx) => caps.assertTurnFits(tx, userId)).catch(kindOf)).toBe(
      'rate_limited',
    );
  });
});
