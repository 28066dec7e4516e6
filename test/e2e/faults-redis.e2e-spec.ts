import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually, llmEnv, postMessage } from '../support/agent-helpers.js';
import { callTools, FakeOpenAi, say, streamed } from '../support/fake-openai.js';
import { createSession, registerAdmin, registerUser, type TestUser } from '../support/factories.js';
import {
  bearer,
  byStatus,
  outageFigures,
  describeSample,
  jsonPost,
  killHard,
  sleep,
  startLoad,
  startRedis,
} from '../support/fault-load.js';
import { openSseGet } from '../support/sse-client.js';
import { freePort, startTestProcess, type TestProcess } from '../support/test-app.js';

/** The bound this suite holds every answer to while Redis is killed and restarted. */
const MAX_LATENCY_MS = 1000;
const OUTAGE_MS = 5000;
/** Per-user limit of free users: low, so sharing across replicas shows; load users are `pro`. */
const FREE_LIMIT = 6;

describe('Redis killed under load and started again (two replicas)', () => {
  const fake = new FakeOpenAi(() => streamed(say('unscripted')));
  let redisPort: number;
  let redis: ChildProcess;
  let a: TestProcess;
  let b: TestProcess;
  let admin: TestUser;
  let loader: TestUser;

  /** The admin turns `user` into a pro user, out of reach of the low free limit. */
  const makePro = async (user: TestUser) => {
    const res = await a.http.patch(`/api/admin/users/${user.id}`, {
      token: admin.token,
      body: { tier: 'pro' },
    });
    expect(res.status).toBe(200);
  };

  /** A user cached on `b` is disabled through `a`; `b` refuses it well before its 10 s cache ends. */
  const disableCrossesReplicas = async () => {
    const victim = await registerUser(b.http, 'victim');
    expect((await b.http.get('/api/auth/me', { token: victim.token })).status).toBe(200);
    const patched = await a.http.patch(`/api/admin/users/${victim.id}`, {
      token: admin.token,
      body: { disabled: true },
    });
    expect(patched.status).toBe(200);
    return eventually(
      async () =>
        (await b.http.get('/api/auth/me', { token: victim.token })).status === 401
          ? true
          : undefined,
      2000,
      'the other replica to hear that the user was disabled',
    );
  };

  beforeAll(async () => {
    await fake.start();
    redisPort = await freePort();
    redis = await startRedis(redisPort);
    const env = {
      ...llmEnv(fake),
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      THROTTLE_LIMIT_FREE: String(FREE_LIMIT),
      THROTTLE_LIMIT_PRO: '100000',
    };
    a = await startTestProcess(env);
    b = await startTestProcess(env, a.db);
    admin = await registerAdmin(a, 'fault_admin');
    await makePro(admin);
    loader = await registerUser(a.http, 'loader');
    await makePro(loader);
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    if (redis) {
      await killHard(redis);
    }
    await fake.close();
  });

  it('keeps answering without 5xx or delay, reports Redis degraded, and recovers by itself', async () => {
    const sessionId = await createSession(a.http, loader.token);
    const authed = (app: TestProcess, path: string) => () => ({
      label: `GET ${path}`,
      path: `${app.baseUrl}${path}`,
      init: bearer(loader.token),
    });
    const login = (app: TestProcess) => () => ({
      label: 'POST /api/auth/login',
      path: `${app.baseUrl}/api/auth/login`,
      init: jsonPost({ username: loader.username, password: loader.password }),
    });
    const load = startLoad('', [
      [authed(a, '/api/sessions'), authed(b, '/api/auth/me')],
      [authed(b, `/api/sessions/${sessionId}/sandbox/files`), authed(a, '/api/auth/me')],
      [login(a), login(b)],
    ]);
    await sleep(1000);

    const killedAt = Date.now();
    await killHard(redis);
    await sleep(1500);
    // While Redis is away: ready (200), with Redis reported as degraded; liveness untouched.
    for (const app of [a, b]) {
      const ready = await app.http.get('/api/health/ready');
      expect(ready.status).toBe(200);
      expect(ready.body).toMatchObject({
        status: 'degraded',
        info: { database: { status: 'up' }, redis: { status: 'degraded' } },
      });
      expect((await app.http.get('/api/health')).status).toBe(200);
    }
    // Messages between replicas go through PostgreSQL meanwhile.
    expect(await disableCrossesReplicas()).toBe(true);
    await sleep(Math.max(0, OUTAGE_MS - (Date.now() - killedAt)));

    redis = await startRedis(redisPort);
    const restartedAt = Date.now();
    await eventually(
      async () => {
        const [ra, rb] = await Promise.all([
          a.http.get('/api/health/ready'),
          b.http.get('/api/health/ready'),
        ]);
        return ra.body.info?.redis?.status === 'up' && rb.body.info?.redis?.status === 'up'
          ? true
          : undefined;
      },
      15_000,
      'both replicas to report Redis up again',
    );
    const recoveredS = (Date.now() - restartedAt) / 1000;
    await sleep(1000);
    await load.stop();

    const samples = load.samples;
    const { outage, slowest } = outageFigures(samples, killedAt, restartedAt);
    console.log(
      `faults-redis: ${samples.length} requests (${outage.length} while Redis was down), ` +
        `by status ${JSON.stringify(byStatus(samples))}, max latency ${slowest} ms, ` +
        `readiness back to redis up ${recoveredS.toFixed(1)} s after restart`,
    );
    expect(outage.length).toBeGreaterThan(20);
    expect(
      samples
        .filter((s) => s.status === 0 || s.status >= 500)
        .slice(0, 20)
        .map(describeSample),
    ).toEqual([]);
    expect(samples.filter((s) => s.ms > MAX_LATENCY_MS).map(describeSample)).toEqual([]);
    expect(samples.every((s) => s.status === 200)).toBe(true);

    // Recovered: one limit shared by both replicas again …
    const fresh = await registerUser(a.http, 'fresh');
    const statuses: number[] = [];
    for (let i = 0; i < FREE_LIMIT + 2; i++) {
      const app = i % 2 === 0 ? a : b;
      statuses.push((await app.http.get('/api/sessions', { token: fresh.token })).status);
    }
    expect(statuses).toEqual([...Array(FREE_LIMIT).fill(200), 429, 429]);
    // … messages between replicas again, and a run's live events cross from one replica to the other.
    expect(await disableCrossesReplicas()).toBe(true);
    const runSession = await createSession(a.http, loader.token);
    const offset = fake.requests.length;
    fake.script = (_req, n) =>
      n - offset === 0
        ? streamed(
            callTools(
              [{ name: 'write_file', args: { filename: 'a.txt', content: 'x'.repeat(800) } }],
              20,
            ),
            { delayMs: 60 },
          )
        : streamed(say('Done after the outage.', 4), { delayMs: 60 });
    const running = postMessage(a.http, loader.token, runSession, 'build');
    await eventually(async () => (fake.requests.length > offset ? true : undefined));
    const sse = await openSseGet(
      `${b.baseUrl}/api/sessions/${runSession}/messages/latest/events`,
      loader.token,
    );
    const events = await sse.all();
    const res = await running;
    expect(res.status).toBe(200);
    expect(events.some((e) => e.event === 'delta')).toBe(true);
    expect(events.at(-1)).toEqual({
      event: 'done',
      data: expect.objectContaining({ id: res.body.id, status: 'completed' }),
    });
    for (const app of [a, b]) {
      expect(app.process.exitCode).toBeNull();
      // Logged once when Redis went and once when it came back, not once per request.
      const count = (text: string) => app.output().split(text).length - 1;
      expect([count('Redis unavailable'), count('Redis is back')]).toEqual([1, 1]);
    }
  }, 90_000);
});
