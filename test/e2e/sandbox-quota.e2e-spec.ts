import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createSession, registerUser, writeFile, type TestUser } from '../support/factories.js';
import { simultaneousPosts, type RaceRequest, type RaceResult } from '../support/simultaneous.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const MAX_FILE = 1000;
const MAX_SESSION = 10_000;

/** Sends the POSTs so that they reach the server at the same instant, and waits for every answer. */
async function raceAll(
  baseUrl: string,
  token: string,
  requests: RaceRequest[],
): Promise<RaceResult[]> {
  const race = await simultaneousPosts(baseUrl, token, requests);
  try {
    return await Promise.all(race.responses);
  } finally {
    race.close();
  }
}

describe('sandbox quota', () => {
  let t: TestApp;
  let user: TestUser;

  const fileUrl = (sessionId: string, name: string) =>
    `/api/sessions/${sessionId}/sandbox/files/${name}`;
  const post = (sessionId: string, name: string, content: string) =>
    t.http.post(fileUrl(sessionId, name), { token: user.token, body: { content } });

  /** What the database holds for a session: the real sum of its files and the running total the service keeps. */
  async function accounting(
    sessionId: string,
  ): Promise<{ sum: number; counter: number; count: number }> {
    const [files] = await t.db.query<{ sum: string | null; count: string }>(
      `SELECT sum(size) AS sum, count(*) AS count FROM sandbox_files WHERE session_id = $1`,
      [sessionId],
    );
    const [session] = await t.db.query<{ sandbox_bytes: string }>(
      `SELECT sandbox_bytes FROM sessions WHERE id = $1`,
      [sessionId],
    );
    return {
      sum: Number(files.sum ?? 0),
      counter: Number(session.sandbox_bytes),
      count: Number(files.count),
    };
  }

  async function listedTotal(sessionId: string): Promise<number> {
    const res = await t.http.get(`/api/sessions/${sessionId}/sandbox/files`, { token: user.token });
    expect(res.status).toBe(200);
    return res.body.total_size as number;
  }

  /** A session holding `count` files of `size` bytes each, named f0.txt, f1.txt, … */
  async function sessionWith(count: number, size: number): Promise<string> {
    const sessionId = await createSession(t.http, user.token, 'quota');
    for (let i = 0; i < count; i++) {
      await writeFile(t.http, user.token, sessionId, `f${i}.txt`, 'x'.repeat(size));
    }
    return sessionId;
  }

  beforeAll(async () => {
    t = await startTestApp({
      SANDBOX_MAX_FILE_BYTES: String(MAX_FILE),
      SANDBOX_MAX_SESSION_BYTES: String(MAX_SESSION),
    });
    user = await registerUser(t.http, 'quota');
  });
  afterAll(() => t.close());

  describe('the per-file limit', () => {
    it('accepts a file of exactly the limit, counted in UTF-8 bytes', async () => {
      const sessionId = await createSession(t.http, user.token);
      const content = 'é'.repeat(MAX_FILE / 2);
      expect(Buffer.byteLength(content, 'utf8')).toBe(MAX_FILE);

      const res = await post(sessionId, 'exact.txt', content);

      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        filename: 'exact.txt',
        size: MAX_FILE,
        message: 'File saved successfully',
      });
    });

    it('refuses a file one UTF-8 byte over the limit with 413 {"detail"}, though it has fewer characters', async () => {
      const sessionId = await createSession(t.http, user.token);
      const content = `${'é'.repeat(MAX_FILE / 2)}x`;
      expect(content.length).toBeLessThan(MAX_FILE);

      const res = await post(sessionId, 'big.txt', content);

      expect(res.status).toBe(413);
      expect(res.body).toEqual({ detail: expect.any(String) });
      expect(await accounting(sessionId)).toEqual({ sum: 0, counter: 0, count: 0 });
    });

    it('refuses an oversized overwrite and keeps the old file intact', async () => {
      const sessionId = await createSession(t.http, user.token);
      await writeFile(t.http, user.token, sessionId, 'keep.txt', 'original');

      const res = await post(sessionId, 'keep.txt', 'y'.repeat(MAX_FILE + 1));

      expect(res.status).toBe(413);
      const read = await t.http.get(fileUrl(sessionId, 'keep.txt'), { token: user.token });
      expect(read.body).toEqual({ filename: 'keep.txt', content: 'original', size: 8 });
      expect(await accounting(sessionId)).toEqual({ sum: 8, counter: 8, count: 1 });
    });
  });

  describe('the per-session limit', () => {
    it('fills a session exactly to its limit, then refuses one more byte with 413 and writes nothing', async () => {
      const sessionId = await sessionWith(9, MAX_FILE);

      const last = await post(sessionId, 'last.txt', 'z'.repeat(MAX_FILE));
      expect(last.status).toBe(200);
      expect(await listedTotal(sessionId)).toBe(MAX_SESSION);

      const over = await post(sessionId, 'one-more.txt', 'z');
      expect(over.status).toBe(413);
      expect(over.body).toEqual({ detail: expect.any(String) });
      const read = await t.http.get(fileUrl(sessionId, 'one-more.txt'), { token: user.token });
      expect(read.status).toBe(404);
      expect(await accounting(sessionId)).toEqual({
        sum: MAX_SESSION,
        counter: MAX_SESSION,
        count: 10,
      });
    });

    it('refuses a new file that would cross the limit even when part of it would fit', async () => {
      const sessionId = await sessionWith(9, MAX_FILE);
      await writeFile(t.http, user.token, sessionId, 'half.txt', 'h'.repeat(500));

      const res = await post(sessionId, 'too-much.txt', 'x'.repeat(501));

      expect(res.status).toBe(413);
      expect(res.body).toEqual({ detail: expect.any(String) });
      expect(await accounting(sessionId)).toEqual({ sum: 9500, counter: 9500, count: 10 });
      expect((await post(sessionId, 'just-fits.txt', 'x'.repeat(500))).status).toBe(200);
      expect(await accounting(sessionId)).toEqual({
        sum: MAX_SESSION,
        counter: MAX_SESSION,
        count: 11,
      });
    });

    it('always lets an overwrite of equal or smaller size through when the session is full', async () => {
      const sessionId = await sessionWith(10, MAX_FILE);
      expect(await listedTotal(sessionId)).toBe(MAX_SESSION);

      const same = await post(sessionId, 'f0.txt', 'S'.repeat(MAX_FILE));
      expect(same.status).toBe(200);
      expect(same.body.size).toBe(MAX_FILE);
      const smaller = await post(sessionId, 'f1.txt', 's'.repeat(10));
      expect(smaller.status).toBe(200);
      expect(smaller.body.size).toBe(10);

      expect(await listedTotal(sessionId)).toBe(MAX_SESSION - MAX_FILE + 10);
      expect(await accounting(sessionId)).toEqual({ sum: 9010, counter: 9010, count: 10 });
    });

    it('judges a growing overwrite by the total after it: into freed space yes, past the limit no', async () => {
      const sessionId = await sessionWith(10, MAX_FILE);
      expect((await post(sessionId, 'f1.txt', 'x'.repeat(200))).status).toBe(200);
      expect((await post(sessionId, 'pad.txt', 'p'.repeat(500))).status).toBe(200);
      expect(await accounting(sessionId)).toEqual({ sum: 9700, counter: 9700, count: 11 });

      // f1 200 → 600 would leave 10100: refused, and f1 keeps its 200 bytes.
      const tooMuch = await post(sessionId, 'f1.txt', 'x'.repeat(600));
      expect(tooMuch.status).toBe(413);
      expect(tooMuch.body).toEqual({ detail: expect.any(String) });
      expect(await accounting(sessionId)).toEqual({ sum: 9700, counter: 9700, count: 11 });

      // f1 200 → 500 leaves exactly 10000: the 200 bytes it replaces count as freed.
      const fits = await post(sessionId, 'f1.txt', 'x'.repeat(500));
      expect(fits.status).toBe(200);
      expect(await accounting(sessionId)).toEqual({
        sum: MAX_SESSION,
        counter: MAX_SESSION,
        count: 11,
      });
    });

    it('frees space when a file is deleted, and the listed total follows', async () => {
      const sessionId = await sessionWith(10, MAX_FILE);
      expect((await post(sessionId, 'extra.txt', 'e')).status).toBe(413);

      const del = await t.http.delete(fileUrl(sessionId, 'f3.txt'), { token: user.token });
      expect(del.status).toBe(200);
      expect(await listedTotal(sessionId)).toBe(MAX_SESSION - MAX_FILE);

      const res = await post(sessionId, 'extra.txt', 'e'.repeat(MAX_FILE));
      expect(res.status).toBe(200);
      expect(await listedTotal(sessionId)).toBe(MAX_SESSION);
      expect(await accounting(sessionId)).toEqual({
        sum: MAX_SESSION,
        counter: MAX_SESSION,
        count: 10,
      });
    });

    it('counts each session separately', async () => {
      const full = await sessionWith(10, MAX_FILE);
      const other = await createSession(t.http, user.token);
      expect((await post(full, 'x.txt', 'x')).status).toBe(413);
      expect((await post(other, 'x.txt', 'x'.repeat(MAX_FILE))).status).toBe(200);
      expect(await accounting(other)).toEqual({ sum: MAX_FILE, counter: MAX_FILE, count: 1 });
    });
  });

  describe('under concurrent writes', () => {
    it('lets exactly one of 20 parallel new files into a nearly full session, and refuses the rest with 413', async () => {
      const sessionId = await sessionWith(9, MAX_FILE);
      expect(await accounting(sessionId)).toEqual({ sum: 9000, counter: 9000, count: 9 });

      const results = await raceAll(
        t.baseUrl,
        user.token,
        Array.from({ length: 20 }, (_, i) => ({
          path: fileUrl(sessionId, `race-${i}.txt`),
          body: { content: String(i % 10).repeat(600) },
        })),
      );

      const statuses = results.map((r) => r.status);
      expect(statuses.filter((s) => s === 200)).toHaveLength(1);
      expect(statuses.filter((s) => s === 413)).toHaveLength(19);
      for (const res of results.filter((r) => r.status === 413)) {
        expect(res.body).toEqual({ detail: expect.any(String) });
      }
      const { sum, counter, count } = await accounting(sessionId);
      expect(sum).toBeLessThanOrEqual(MAX_SESSION);
      expect(sum).toBe(9600);
      expect(counter).toBe(sum);
      expect(count).toBe(10);
      expect(await listedTotal(sessionId)).toBe(9600);
    });

    it('keeps the running total equal to the real sum after 20 parallel overwrites of one path', async () => {
      const sessionId = await createSession(t.http, user.token);
      await writeFile(t.http, user.token, sessionId, 'other.txt', 'o'.repeat(300));
      const sizes = Array.from({ length: 20 }, (_, i) => 1 + ((i * 97) % MAX_FILE));

      const results = await raceAll(
        t.baseUrl,
        user.token,
        sizes.map((n) => ({
          path: fileUrl(sessionId, 'same.txt'),
          body: { content: 'w'.repeat(n) },
        })),
      );

      expect(results.map((r) => r.status)).toEqual(sizes.map(() => 200));
      const read = await t.http.get(fileUrl(sessionId, 'same.txt'), { token: user.token });
      expect(sizes).toContain(read.body.size);
      expect(read.body.content).toBe('w'.repeat(read.body.size));
      expect(await accounting(sessionId)).toEqual({
        sum: 300 + read.body.size,
        counter: 300 + read.body.size,
        count: 2,
      });
      expect(await listedTotal(sessionId)).toBe(300 + read.body.size);
    });

    it('keeps the running total equal to the real sum under parallel writes, overwrites and deletes', async () => {
      const sessionId = await sessionWith(5, 500);
      const ops = [
        ...Array.from({ length: 5 }, (_, i) =>
          t.http.delete(fileUrl(sessionId, `f${i}.txt`), { token: user.token }),
        ),
        ...Array.from({ length: 5 }, (_, i) => post(sessionId, `f${i}.txt`, 'r'.repeat(100 + i))),
        ...Array.from({ length: 10 }, (_, i) => post(sessionId, `n${i}.txt`, 'n'.repeat(200 + i))),
      ];

      const results = await Promise.all(ops);

      // A delete may land before or after the rewrite of its file: only 200 and 404 are possible answers.
      expect(results.every((r) => r.status === 200 || r.status === 404)).toBe(true);
      const { sum, counter } = await accounting(sessionId);
      expect(counter).toBe(sum);
      expect(await listedTotal(sessionId)).toBe(sum);
      expect(sum).toBeLessThanOrEqual(MAX_SESSION);
    });
  });
});

describe('sandbox request size with the default limits', () => {
  let t: TestApp;
  let user: TestUser;
  const MIB = 1024 * 1024;

  beforeAll(async () => {
    t = await startTestApp();
    user = await registerUser(t.http, 'bodies');
  });
  afterAll(() => t.close());

  it.each([
    ['plain text', 'a'],
    ['quotes (2 JSON bytes each)', '"'],
    ['control characters (6 JSON bytes each)', '\u0001'],
  ])('accepts a 1 MiB file of %s, however its JSON is escaped', async (_label, char) => {
    const sessionId = await createSession(t.http, user.token);
    const content = char.repeat(MIB);

    const res = await t.http.post(`/api/sessions/${sessionId}/sandbox/files/big.txt`, {
      token: user.token,
      body: { content },
    });

    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      filename: 'big.txt',
      size: MIB,
      message: 'File saved successfully',
    });
  });

  it('refuses a file of 1 MiB plus one byte with 413 {"detail"}', async () => {
    const sessionId = await createSession(t.http, user.token);
    const res = await t.http.post(`/api/sessions/${sessionId}/sandbox/files/big.txt`, {
      token: user.token,
      body: { content: 'a'.repeat(MIB + 1) },
    });
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ detail: expect.any(String) });
  });

  it('refuses a request body over 8 MiB with 413 {"detail"}', async () => {
    const sessionId = await createSession(t.http, user.token);
    const res = await t.http.post(`/api/sessions/${sessionId}/sandbox/files/huge.txt`, {
      token: user.token,
      rawBody: JSON.stringify({ content: 'a'.repeat(8 * MIB + 16) }),
    });
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ detail: expect.any(String) });
    const rows = await t.db.query(`SELECT 1 FROM sandbox_files WHERE session_id = $1`, [sessionId]);
    expect(rows).toEqual([]);
  });
});
