import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually, llmEnv, postMessage, steps, toolResults } from '../support/agent-helpers.js';
import { createSession, registerUser, writeFile, type TestUser } from '../support/factories.js';
import { callTools, FakeOpenAi, say, streamed } from '../support/fake-openai.js';
import { startTestProcess, type TestProcess } from '../support/test-app.js';

/** The bound: while hostile input is handled, health never stalls longer than about this. */
const HEALTH_STALL_BOUND_MS = 1000;
const MIB = 1024 * 1024;

/** A document of one unit repeated up to 1 MiB: unclosed tags made the old regex quadratic. */
const hostile = (unit: string) => unit.repeat(Math.floor(MIB / unit.length));

interface HealthWhile<T> {
  value: T | Error;
  ms: number;
  health: { statuses: (number | string)[]; maxMs: number };
}

describe('faults: hostile input', () => {
  const fake = new FakeOpenAi(() => streamed(say('nothing scripted')));
  let t: TestProcess;
  let user: TestUser;

  beforeAll(async () => {
    await fake.start();
    t = await startTestProcess(llmEnv(fake));
    user = await registerUser(t.http, 'hostile');
  });
  afterAll(async () => {
    await t.close();
    await fake.close();
  });

  /** Polls /api/health back to back until `work` settles, timing each answer; a stall past 5 s ends it. */
  async function pollHealthWhile<T>(work: Promise<T>): Promise<HealthWhile<T>> {
    const statuses: (number | string)[] = [];
    let maxMs = 0;
    let settled = false;
    const started = performance.now();
    const outcome = work.then(
      (value) => value,
      (err: Error) => err,
    );
    void outcome.then(() => (settled = true));
    // At least one health request overlaps the work, however fast it is.
    do {
      const at = performance.now();
      try {
        const res = await fetch(`${t.baseUrl}/api/health`, { signal: AbortSignal.timeout(5_000) });
        statuses.push(res.status);
        await res.arrayBuffer();
      } catch (err) {
        statuses.push((err as Error).name);
        maxMs = Math.max(maxMs, performance.now() - at);
        break;
      }
      maxMs = Math.max(maxMs, performance.now() - at);
      await new Promise((r) => setTimeout(r, 20));
    } while (!settled);
    const value = await outcome;
    return { value, ms: performance.now() - started, health: { statuses, maxMs } };
  }

  const figures = (what: string, r: HealthWhile<unknown>) =>
    // Printed for docs/reliability.md ("Hostile input").
    console.log(
      `${what}: ${r.ms.toFixed(0)} ms; health: ${r.health.statuses.length} requests, ` +
        `max ${r.health.maxMs.toFixed(0)} ms, statuses ${[...new Set(r.health.statuses)].join(',')}`,
    );

  it.each([
    ['unclosed "<head " tags', '<head '],
    ['unclosed "<html " tags', '<HTML\t'],
  ])(
    'serves a 1 MiB index.html of %s correctly while /api/health keeps answering',
    async (_label, unit) => {
      const html = hostile(unit);
      const sessionId = await createSession(t.http, user.token, 'Hostile');
      await writeFile(t.http, user.token, sessionId, 'index.html', html);

      const served = await pollHealthWhile(
        fetch(`${t.baseUrl}/api/sessions/${sessionId}/sandbox/preview`, {
          headers: { authorization: `Bearer ${user.token}` },
          redirect: 'manual',
          signal: AbortSignal.timeout(30_000),
        }).then(async (res) => ({ status: res.status, text: await res.text() })),
      );
      figures(
        `hostile preview (${JSON.stringify(unit)} x ${html.length / unit.length}, ${html.length} B)`,
        served,
      );

      expect(served.health.statuses.every((s) => s === 200)).toBe(true);
      expect(served.health.maxMs).toBeLessThan(HEALTH_STALL_BOUND_MS);
      expect(served.value).not.toBeInstanceOf(Error);
      const { status, text } = served.value as { status: number; text: string };
      expect(status).toBe(200);
      // No tag closes, so the base element and the injected storage shim and error reporter go
      // first, and the page follows byte for byte.
      const base = new RegExp(
        `^<base href="/api/sessions/${sessionId}/sandbox/site/[^"/]+/"><script>\\(function\\(\\)\\{[\\s\\S]*?\\}\\)\\(\\);</script>`,
      );
      expect(text).toMatch(base);
      expect(text.replace(base, '') === html).toBe(true);
    },
  );

  it('runs an edit_file of half a repetitive 1 MiB file while /api/health keeps answering', async () => {
    const content = 'a'.repeat(MIB);
    const sessionId = await createSession(t.http, user.token, 'Hostile edit');
    await writeFile(t.http, user.token, sessionId, 'a.txt', content);
    const offset = fake.requests.length;
    const call = { filename: 'a.txt', old_string: 'a'.repeat(MIB / 2), new_string: 'b' };
    fake.scriptFromNow((k) =>
      k === 0
        ? streamed(callTools([{ name: 'edit_file', id: 'call_edit', args: call }], 16))
        : streamed(say('It is not unique.')),
    );

    const run = await pollHealthWhile(postMessage(t.http, user.token, sessionId, 'edit it'));
    figures('hostile edit_file (1 MiB of "a", old_string 512 KiB)', run);

    expect(run.health.statuses.every((s) => s === 200)).toBe(true);
    expect(run.health.maxMs).toBeLessThan(HEALTH_STALL_BOUND_MS);
    expect(run.value).toMatchObject({ status: 200 });
    // Every overlapping match is counted: 512 Ki + 1 of them.
    expect(toolResults(fake.requests[offset + 1].body).call_edit).toEqual({
      ok: false,
      error: `old_string occurs ${MIB / 2 + 1} times in a.txt; include more context so it is unique`,
    });
    const [step] = await steps(t.http, user.token, sessionId);
    expect(step).toMatchObject({ tool_name: 'edit_file', status: 'failed' });
  });

  it.each(['%74oken', 't%6Fken', 'to%6Ben'])(
    'takes ?%s= as the token, as the query parser reads it, and never logs it',
    async (key) => {
      const fresh = await registerUser(t.http, 'encoded');
      const sessionId = await createSession(t.http, fresh.token, 'Encoded');
      await writeFile(t.http, fresh.token, sessionId, 'index.html', '<p>hi</p>');
      const res = await t.http.get(
        `/api/sessions/${sessionId}/sandbox/preview?${key}=${fresh.token}`,
      );
      // Accepted: an access token in the URL is swapped for a preview token by a redirect.
      expect(res.status).toBe(302);
      const previewToken = new URL(res.headers.get('location')!, t.baseUrl).searchParams.get(
        'token',
      )!;
      expect((await t.http.get(res.headers.get('location')!)).status).toBe(200);
      const redacted = `/sandbox/preview?${key}=[REDACTED]`;
      await eventually(async () => (t.output().includes(redacted) ? true : undefined));
      expect(t.output()).not.toContain(fresh.token);
      expect(t.output()).not.toContain(previewToken);
    },
  );
});
