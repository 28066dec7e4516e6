import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AppError } from '../../src/common/errors/app-error.js';
import { Sql } from '../../src/database/sql.service.js';
import { HistoryModule } from '../../src/history/history.module.js';
import { HistoryService } from '../../src/history/history.service.js';
import {
  insertSession,
  insertUser,
  startServiceTest,
  type ServiceTest,
} from '../support/service-module.js';

const API = { source: 'api' } as const;
const file = (path: string, text: string | null) => ({
  path,
  content: text === null ? null : Buffer.from(text),
});

describe('HistoryService (real database, no HTTP)', () => {
  let s: ServiceTest;
  let history: HistoryService;
  let sql: Sql;
  beforeAll(async () => {
    // Small enough that a few versions of a 400-byte file push the oldest out.
    s = await startServiceTest({
      // The history entities relate to sessions (and those to users): with autoLoadEntities TypeORM needs
      // the modules that register those too, as the app always has them.
      imports: [HistoryModule],
      env: { SANDBOX_HISTORY_MAX_BYTES: '1000' },
    });
    history = s.get(HistoryService);
    sql = s.get(Sql);
  });
  afterAll(() => s.close());

  const session = async () => insertSession(s.db, await insertUser(s.db));

  it('keeps each version as the files it held, content stored once per distinct content', async () => {
    const id = await session();
    const record = (...files: ReturnType<typeof file>[]) =>
      sql.transaction((tx) => history.record(tx, id, files, API));
    expect(await record(file('index.html', 'one'), file('a.css', 'a{}'))).toBe(1);
    expect(await record(file('index.html', 'two'))).toBe(2);
    expect(await record(file('a.css', null))).toBe(3);
    const at = async (v: number) => (await history.filesAt(id, v)).map((f) => f.path).sort();
    expect([await at(1), await at(2), await at(3)]).toEqual([
      ['a.css', 'index.html'],
      ['a.css', 'index.html'],
      ['index.html'],
    ]);
    const [v1] = await history
      .filesAt(id, 1)
      .then((fs) => fs.filter((f) => f.path === 'index.html'));
    expect((await history.contents(id, [v1.hash])).get(v1.hash)?.toString()).toBe('one');
    const page = await history.page(id, undefined, 2);
    expect(page.versions.map((v) => v.version)).toEqual([3, 2]);
  });

  it('makes no version for an agent call that changed nothing, but does for the files API', async () => {
    const id = await session();
    await sql.transaction((tx) => history.record(tx, id, [file('x.txt', 'same')], API));
    const agent = { source: 'agent' } as const;
    expect(
      await sql.transaction((tx) => history.record(tx, id, [file('x.txt', 'same')], agent)),
    ).toBeNull();
    expect(
      await sql.transaction((tx) => history.record(tx, id, [file('x.txt', 'same')], API)),
    ).toBe(2);
  });

  it('prunes the oldest versions past SANDBOX_HISTORY_MAX_BYTES, and says so (410) when one is asked for', async () => {
    const id = await session();
    for (let i = 0; i < 5; i++) {
      await sql.transaction((tx) =>
        history.record(tx, id, [file('big.txt', String(i).repeat(400))], API),
      );
    }
    expect(await history.head(id)).toBe(5);
    const err = await history.version(id, 1).catch((e: unknown) => e);
    expect(err instanceof AppError ? err.kind : err).toBe('gone');
    expect((await history.version(id, 5)).version).toBe(5);
  });
});
