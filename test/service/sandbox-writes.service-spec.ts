import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AppError } from '../../src/common/errors/app-error.js';
import { SandboxModule } from '../../src/sandbox/sandbox.module.js';
import { SandboxService } from '../../src/sandbox/sandbox.service.js';
import { HistoryModule } from '../../src/history/history.module.js';
import { HistoryService } from '../../src/history/history.service.js';
import {
  insertSession,
  insertUser,
  startServiceTest,
  type ServiceTest,
} from '../support/service-module.js';

const kindOf = (err: unknown) => (err instanceof AppError ? err.kind : err);

describe('SandboxService writes (real database, no HTTP)', () => {
  let s: ServiceTest;
  let sandbox: SandboxService;
  let history: HistoryService;
  beforeAll(async () => {
    s = await startServiceTest({
      // The sandbox as the app wires it (its caps, sessions and history); HistoryModule for the reads.
      imports: [SandboxModule, HistoryModule],
      env: { SANDBOX_MAX_SESSION_BYTES: '1000', SANDBOX_MAX_FILES: '3' },
    });
    sandbox = s.get(SandboxService);
    history = s.get(HistoryService);
  });
  afterAll(() => s.close());

  const scope = async () => {
    const userId = await insertUser(s.db);
    return { userId, sessionId: await insertSession(s.db, userId) };
  };

  it('stores the file, its size on the session, and a version of its own in one transaction', async () => {
    const sc = await scope();
    const first = await sandbox.write(sc, 'index.html', '<h1>hi</h1>');
    const second = await sandbox.write(sc, 'index.html', '<h1>hello</h1>');
    expect([first.version, second.version]).toEqual([1, 2]);
    expect((await sandbox.readTagged(sc, 'index.html')).file.content).toBe('<h1>hello</h1>');
    const [row] = await s.db.query<{ sandbox_bytes: string }>(
      `SELECT sandbox_bytes FROM sessions WHERE id = $1`,
      [sc.sessionId],
    );
    expect(Number(row.sandbox_bytes)).toBe(Buffer.byteLength('<h1>hello</h1>'));
    expect(await history.head(sc.sessionId)).toBe(2);
    expect((await history.changesOf(sc.sessionId, 2)).map((c) => [c.path, c.change])).toEqual([
      ['index.html', 'modified'],
    ]);
  });

  it('lets parallel writes past the session quota through one at a time: the total never exceeds it', async () => {
    const sc = await scope();
    // Three files of 400 bytes against a 1000-byte session: two fit, whatever the interleaving.
    const results = await Promise.allSettled(
      ['a', 'b', 'c'].map((n) => sandbox.write(sc, `${n}.txt`, 'x'.repeat(400))),
    );
    const kinds = results.map((r) => (r.status === 'fulfilled' ? 'ok' : kindOf(r.reason)));
    expect(kinds.sort()).toEqual(['ok', 'ok', 'payload_too_large']);
    const [row] = await s.db.query<{ sandbox_bytes: string }>(
      `SELECT sandbox_bytes FROM sessions WHERE id = $1`,
      [sc.sessionId],
    );
    expect(Number(row.sandbox_bytes)).toBe(800);
    expect(await history.head(sc.sessionId)).toBe(2);
  });

  it('refuses a write whose If-Match no longer names the file, and changes nothing', async () => {
    const sc = await scope();
    const { etag } = await sandbox.write(sc, 'a.css', 'a{}');
    await sandbox.write(sc, 'a.css', 'b{}');
    await expect(sandbox.write(sc, 'a.css', 'c{}', { ifMatch: etag }).catch(kindOf)).resolves.toBe(
      'precondition_failed',
    );
    expect((await sandbox.readTagged(sc, 'a.css')).file.content).toBe('b{}');
    expect(await history.head(sc.sessionId)).toBe(2);
  });
});
