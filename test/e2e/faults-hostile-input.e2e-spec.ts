import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createSession, registerUser, writeFile, type TestUser } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** The bound: while a hostile page is served, health never stalls longer than about this. */
const HEALTH_STALL_BOUND_MS = 1000;
const MIB = 1024 * 1024;

/** A document of unclosed opening tags, just under 1 MiB: the input that made the old regex quadratic. */
const hostile = (unit: string) => unit.repeat(Math.floor(MIB / unit.length));

interface Served {
  status: number;
  text: string;
  ms: number;
  health: { statuses: (number | string)[]; maxMs: number };
}

describe('faults: hostile input', () => {
  let t: TestApp;
  let user: TestUser;

  beforeAll(async () => {
    t = await startTestApp();
    user = await registerUser(t.http, 'hostile');
  });
  afterAll(() => t.close());

  /** Fetches the preview while polling /api/health back to back, timing both. */
  async function previewWhilePollingHealth(sessionId: string): Promise<Served> {
    const statuses: (number | string)[] = [];
    let maxMs = 0;
    let previewDone = false;
    const started = performance.now();
    const preview = fetch(`${t.baseUrl}/api/sessions/${sessionId}/sandbox/preview`, {
      headers: { authorization: `Bearer ${user.token}` },
      redirect: 'manual',
      signal: AbortSignal.timeout(30_000),
    }).then(async (res) => ({ status: res.status, text: await res.text() }));
    preview.then(
      () => (previewDone = true),
      () => (previewDone = true),
    );
    // At least one health request overlaps the preview, however fast it is served.
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
    } while (!previewDone);
    const served = await preview.catch((err: Error) => ({ status: 0, text: err.name }));
    const ms = performance.now() - started;
    return { ...served, ms, health: { statuses, maxMs } };
  }

  it.each([
    ['unclosed "<head " tags', '<head '],
    ['unclosed "<html " tags', '<HTML\t'],
  ])(
    'serves a 1 MiB index.html of %s correctly while /api/health keeps answering',
    async (_label, unit) => {
      const html = hostile(unit);
      const sessionId = await createSession(t.http, user.token, 'Hostile');
      await writeFile(t.http, user.token, sessionId, 'index.html', html);

      const served = await previewWhilePollingHealth(sessionId);
      // Figures for docs/reliability.md ("Hostile input").
      console.log(
        `hostile preview (${JSON.stringify(unit)} x ${html.length / unit.length}, ${html.length} B): ` +
          `${served.ms.toFixed(0)} ms; health: ${served.health.statuses.length} requests, ` +
          `max ${served.health.maxMs.toFixed(0)} ms, statuses ${[...new Set(served.health.statuses)].join(',')}`,
      );

      expect(served.health.statuses.every((s) => s === 200)).toBe(true);
      expect(served.health.maxMs).toBeLessThan(HEALTH_STALL_BOUND_MS);
      expect(served.status).toBe(200);
      // No tag closes, so the base element goes first and the page follows byte for byte.
      const base = new RegExp(`^<base href="/api/sessions/${sessionId}/sandbox/site/[^"/]+/">`);
      expect(served.text).toMatch(base);
      expect(served.text.replace(base, '')).toBe(html);
    },
  );
});
