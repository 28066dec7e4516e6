import { createSocket, type Socket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually, llmEnv, postMessage } from '../support/agent-helpers.js';
import { FakeOpenAi, say, streamed } from '../support/fake-openai.js';
import { createSession, registerUser, type TestUser } from '../support/factories.js';
import type { HttpResponse } from '../support/http-client.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';

/**
 * A DNS server that never answers: a UDP socket on loopback that reads queries and drops them.
 * `TEST_DNS_BLACKHOLE` (host:port) pins where it listens, to check the test against the old code with
 * the system resolver pointed at it (see docs/reliability.md); by default any free port.
 */
async function blackHole(): Promise<{ socket: Socket; server: string; queries: () => number }> {
  const [host, port] = (process.env.TEST_DNS_BLACKHOLE ?? '127.0.0.1:0').split(':');
  const socket = createSocket('udp4');
  let queries = 0;
  socket.on('message', () => (queries += 1));
  await new Promise<void>((r) => socket.bind(Number(port), host, r));
  const bound = socket.address();
  return { socket, server: `${bound.address}:${bound.port}`, queries: () => queries };
}

/**
 * Issue 18 item 5: `dns.lookup` holds one of libuv's 4 threads until the OS gives up, so 6 registrations
 * naming hosts whose DNS never answers made a victim's `http://localhost:…` webhook fail as "does not
 * resolve". Look-ups now go through a cancellable resolver, bounded globally and per user.
 */
describe('webhook DNS look-ups that never answer (WEBHOOK_DNS_SERVERS at a black hole)', () => {
  const fake = new FakeOpenAi(() => streamed(say('Done.')));
  let hole: Awaited<ReturnType<typeof blackHole>>;
  let t: TestApp;
  let sink: WebhookReceiver;

  beforeAll(async () => {
    hole = await blackHole();
    await fake.start();
    sink = new WebhookReceiver();
    await sink.start();
    t = await startTestApp(
      llmEnv(fake, {
        WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
        WEBHOOK_DNS_SERVERS: hole.server,
        // Long enough that the hostile look-ups outlast everything the victim does.
        WEBHOOK_TIMEOUT_MS: '15000',
        WEBHOOK_POLL_MS: '250',
        WEBHOOK_RETRY_BASE_MS: '60000',
        WEBHOOK_DNS_MAX_PER_USER: '2',
      }),
    );
  });
  afterAll(async () => {
    await sink.close();
    await t.close();
    await fake.close();
    hole.socket.close();
  });

  let hostile: Promise<HttpResponse>[] = [];
  let settled = 0;

  it('lets 6 registrations (one user each) wait on the black hole', async () => {
    const attackers: TestUser[] = [];
    for (let i = 0; i < 6; i++) {
      attackers.push(await registerUser(t.http, `dnsatk${i}`));
    }
    hostile = attackers.map((a, i) =>
      t.http.post('/api/webhooks', {
        token: a.token,
        body: { url: `https://h${i}.never-answers.example/hook`, events: ['run.finished'] },
      }),
    );
    hostile.forEach((p) => void p.finally(() => (settled += 1)));
    await eventually(
      async () => (hole.queries() >= 6 ? true : undefined),
      10_000,
      'six queries at the black hole',
    );
  });

  it('still registers a victim’s http://localhost webhook and delivers its turn on the first attempt', async () => {
    const victim = await registerUser(t.http, 'dnsvictim');
    const url = sink.url.replace('127.0.0.1', 'localhost');
    const created = await t.http.post('/api/webhooks', {
      token: victim.token,
      body: { url, events: ['run.finished'] },
    });
    expect(created.status).toBe(201);
    const sessionId = await createSession(t.http, victim.token);
    expect((await postMessage(t.http, victim.token, sessionId, 'Hello')).status).toBe(200);
    await eventually(
      async () => (sink.of('run.finished').length > 0 ? true : undefined),
      10_000,
      'the victim’s run.finished',
    );
    const list = await t.http.get(`/api/webhooks/${created.body.id}/deliveries`, {
      token: victim.token,
    });
    expect(list.body[0]).toMatchObject({ status: 'delivered', attempts: 1 });
    // …while the hostile look-ups were all still waiting.
    expect(settled).toBe(0);
  });

  it('refuses a user’s third look-up in flight at once with 429 (WEBHOOK_DNS_MAX_PER_USER=2)', async () => {
    const user = await registerUser(t.http, 'dnsmany');
    const register = (i: number) =>
      t.http.post('/api/webhooks', {
        token: user.token,
        body: { url: `https://m${i}.never-answers.example/hook`, events: ['run.finished'] },
      });
    const first = [register(1), register(2)];
    const before = hole.queries();
    await eventually(
      async () => (hole.queries() >= before + 2 ? true : undefined),
      10_000,
      'the user’s two queries at the black hole',
    );
    const third = await register(3);
    expect(third.status).toBe(429);
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
    hostile.push(...first);
  });

  it('ends every hanging look-up as a refused URL (422) once its bound has passed', async () => {
    const answers = await Promise.all(hostile);
    expect(answers.map((r) => r.status)).toEqual(answers.map(() => 422));
  }, 40_000);
});
