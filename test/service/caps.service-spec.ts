import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CapsModule } from '../../src/caps/caps.module.js';
import { CapsService, type UsageCounts } from '../../src/caps/caps.service.js';
import { AppError } from '../../src/common/errors/app-error.js';
import { Sql } from '../../src/database/sql.service.js';
import { MessagesModule } from '../../src/messages/messages.module.js';
import { MessagesRepository } from '../../src/messages/messages.repository.js';
import { SessionsModule } from '../../src/sessions/sessions.module.js';
import { SessionsRepository } from '../../src/sessions/sessions.repository.js';
import {
  insertSession,
  insertUser,
  startServiceTest,
  type ServiceTest,
} from '../support/service-module.js';

const kindOf = (err: unknown) => (err instanceof AppError ? err.kind : err);

describe('CapsService (real database, no HTTP)', () => {
  let s: ServiceTest;
  let caps: CapsService;
  let sql: Sql;
  let sessions: SessionsRepository;
  let messages: MessagesRepository;
  // The counts come from the features that own them, as their services pass them (caps.service.ts).
  const counts = (userId: number): UsageCounts => ({
    sessions: () => sessions.countOfUser(userId),
    storageBytes: () => sessions.storageOfUser(userId),
    running: () => messages.countRunningOfUser(userId),
  });
  beforeAll(async () => {
    s = await startServiceTest({
      imports: [CapsModule, SessionsModule, MessagesModule],
      env: {
        LIMIT_SESSIONS_FREE: '2',
        LIMIT_STORAGE_BYTES_FREE: '1000',
        LIMIT_SESSIONS_PRO: '0',
      },
    });
    caps = s.get(CapsService);
    sql = s.get(Sql);
    sessions = s.get(SessionsRepository);
    messages = s.get(MessagesRepository);
  });
  afterAll(() => s.close());

  it("refuses a session past the tier's number (403), and counts only the user's own", async () => {
    const [free, other] = [await insertUser(s.db), await insertUser(s.db)];
    await insertSession(s.db, other);
    const fits = (userId: number) =>
      sql
        .transaction((tx) =>
          caps.assertSessionFits(tx, userId, () => sessions.countOfUser(userId, tx)),
        )
        .then(() => 'ok', kindOf);
    await insertSession(s.db, free);
    expect(await fits(free)).toBe('ok');
    await insertSession(s.db, free);
    expect(await fits(free)).toBe('forbidden');
    // 0 is unlimited.
    const pro = await insertUser(s.db, 'pro');
    for (let i = 0; i < 3; i++) {
      await insertSession(s.db, pro);
    }
    expect(await fits(pro)).toBe('ok');
  });

  it("refuses growth past the user's storage across all their sessions (413); shrinking always fits", async () => {
    const userId = await insertUser(s.db);
    for (const bytes of [600, 300]) {
      const id = await insertSession(s.db, userId);
      await sql.transaction((tx) => sessions.addSandboxBytes(tx, id, bytes));
    }
    const grow = (by: number) =>
      sql
        .transaction(async (tx) =>
          caps.assertStorageFits(await caps.lock(tx, userId), by, () =>
            sessions.storageOfUser(userId, tx),
          ),
        )
        .then(() => 'ok', kindOf);
    expect([await grow(100), await grow(101), await grow(-500)]).toEqual([
      'ok',
      'payload_too_large',
      'ok',
    ]);
    expect((await caps.usage(userId, counts(userId))).usage.storage_bytes).toBe(900);
  });

  it('answers 404 for a user that does not exist rather than applying no caps', async () => {
    expect(await sql.transaction((tx) => caps.lock(tx, 2_000_000_000)).catch(kindOf)).toBe(
      'not_found',
    );
  });
});
