import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import yazl from 'yazl';
import { createSession, registerUser, type TestUser } from '../support/factories.js';
import { startTestProcess, type TestProcess } from '../support/test-app.js';

function makeZip(entries: [string, Buffer][]): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const [name, content] of entries) {
    zip.addBuffer(content, name);
  }
  zip.end();
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on('error', reject);
  });
}

/** A process's memory figure from /proc, in MiB (VmRSS: now; VmHWM: the peak since it started). */
function memoryMiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${field}:`))!;
  return Math.round(Number(/(\d+)/.exec(line)![1]) / 1024);
}

/**
 * Issue 18 item 6: a 160 KB zip made the server inflate and hold 100 MiB before the cap was checked;
 * four in parallel took the process from 151 to 606 MiB. Default limits (1 MiB per file, 100 MiB per
 * session).
 */
describe('hostile zip imports', () => {
  let t: TestProcess;
  let user: TestUser;

  beforeAll(async () => {
    t = await startTestProcess();
    user = await registerUser(t.http, 'zipper');
  });
  afterAll(() => t.close());

  async function upload(id: string, body: Buffer, token = user.token) {
    const res = await fetch(`${t.baseUrl}/api/sessions/${id}/sandbox/archive`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/zip' },
      body,
    });
    return { status: res.status, body: (await res.json()) as any };
  }

  it('refuses 4 parallel bombs (≈100 MB of zeros in ≈100 KB each) with 413 before inflating them', async () => {
    // 100 files of 1 000 000 zero bytes: each within the per-file limit, all within the session's.
    const bomb = await makeZip(
      Array.from({ length: 100 }, (_, i) => [`f${i}.txt`, Buffer.alloc(1_000_000)]),
    );
    expect(bomb.length).toBeLessThan(200_000);
    const attackers = await Promise.all([0, 1, 2, 3].map(() => registerUser(t.http, 'bomber')));
    const sessions = await Promise.all(attackers.map((a) => createSession(t.http, a.token)));
    const pid = t.process.pid!;
    // Resets the peak to the present (Linux clear_refs 5), so the peak is the imports' own.
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    const before = memoryMiB(pid, 'VmRSS');
    const answers = await Promise.all(attackers.map((a, i) => upload(sessions[i], bomb, a.token)));
    const peak = memoryMiB(pid, 'VmHWM');
    console.log(
      `4 parallel bombs of ${bomb.length} bytes: RSS ${before} MiB before, peak ${peak} MiB`,
    );
    expect(answers.map((a) => a.status)).toEqual([413, 413, 413, 413]);
    expect(answers[0].body.detail).toMatch(/zip bomb/);
    const listed = await t.http.get(`/api/sessions/${sessions[0]}/sandbox/files`, {
      token: attackers[0].token,
    });
    expect(listed.body.files).toEqual([]);
  });

  it('refuses an archive naming one file twice (400), writing nothing', async () => {
    const id = await createSession(t.http, user.token);
    const twice = await makeZip([
      ['index.html', Buffer.from('<h1>one</h1>')],
      ['index.html', Buffer.from('<h1>two</h1>')],
    ]);
    const res = await upload(id, twice);
    expect(res.status).toBe(400);
    expect(res.body.detail).toMatch(/index\.html.*more than once/);
    const listed = await t.http.get(`/api/sessions/${id}/sandbox/files`, { token: user.token });
    expect(listed.body.files).toEqual([]);
  });

  it('runs one import of a user at a time: another one meanwhile is answered 409', async () => {
    // Random bytes do not compress: 24 files of 1 000 000 bytes take a while to check and write.
    const big = await makeZip(
      Array.from({ length: 24 }, (_, i) => [`r${i}.bin`, randomBytes(1_000_000)]),
    );
    const ids = await Promise.all([0, 1, 2, 3].map(() => createSession(t.http, user.token)));
    const answers = await Promise.all(ids.map((id) => upload(id, big)));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toContain(200);
    expect(statuses).toContain(409);
    expect(statuses.every((s) => s === 200 || s === 409)).toBe(true);
    // …and once it is done, the next one goes through.
    expect((await upload(ids[0], big)).status).toBe(200);
  });
});
