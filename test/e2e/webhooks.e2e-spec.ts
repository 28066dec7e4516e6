import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { eventually, llmEnv, postMessage, steps } from '../support/agent-helpers.js';
import { callTools, FakeOpenAi, say, streamed, type Reply } from '../support/fake-openai.js';
import { createSession, registerUser, type TestUser } from '../support/factories.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import type { HttpClient } from '../support/http-client.js';
import { freePort, startTestApp, startTestProcess, type TestApp } from '../support/test-app.js';
import { WebhookReceiver, type ReceivedDelivery } from '../support/webhook-receiver.js';

const ALL_EVENTS = ['run.started', 'step.finished', 'run.finished'];
const ISO = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
/** Loopback receivers need private targets allowed; retries are quick so the tests are too. */
const HOOK_ENV = {
  WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
  WEBHOOK_RETRY_BASE_MS: '200',
  WEBHOOK_POLL_MS: '250',
  WEBHOOK_TIMEOUT_MS: '3000',
  WEBHOOK_MAX_ATTEMPTS: '4',
  WEBHOOK_MAX_PER_USER: '3',
};

/** Checks a delivery with the Standard Webhooks reference library (not our signer); throws if it fails. */
const verify = (secret: string, d: ReceivedDelivery): unknown =>
  new StandardWebhook(secret).verify(d.raw, d.headers as Record<string, string>);

async function register(http: HttpClient, user: TestUser, url: string, events = ALL_EVENTS) {
  return http.post('/api/webhooks', { token: user.token, body: { url, events } });
}

async function deliveries(http: HttpClient, user: TestUser, hookId: number, query = '') {
  const res = await http.get(`/api/webhooks/${hookId}/deliveries${query}`, { token: user.token });
  expect(res.status).toBe(200);
  return res;
}

/** A turn with two tool calls in one round, then a closing text. */
const twoToolTurn = (): Reply[] => [
  streamed([
    ...say('Writing the files.'),
    ...callTools([
      { name: 'write_file', args: { filename: 'index.html', content: '<h1>Hooked</h1>' } },
      { name: 'write_file', args: { filename: 'style.css', content: 'h1 { color: teal }' } },
    ]),
  ]),
  streamed(say('Done: index.html and style.css.')),
];

const scriptTurn = (fake: FakeOpenAi, replies: Reply[]) =>
  fake.scriptFromNow((k) => replies[k] ?? streamed(say('Done.')));

describe('webhooks', () => {
  const fake = new FakeOpenAi(() => streamed(say('Done.')));
  const receivers: WebhookReceiver[] = [];
  let t: TestApp;

  const receiver = async (respond?: ConstructorParameters<typeof WebhookReceiver>[0]) => {
    const r = new WebhookReceiver(respond);
    receivers.push(r);
    await r.start();
    return r;
  };

  beforeAll(async () => {
    await fake.start();
    t = await startTestApp(llmEnv(fake, HOOK_ENV));
  });
  afterAll(async () => {
    // Held requests end first, so the worker has nothing in flight when the service stops.
    await Promise.all(receivers.map((r) => r.close()));
    await t.close();
    await fake.close();
  });

  describe('delivery of a turn', () => {
    let user: TestUser;
    let hook: { id: number; secret: string; url: string };
    let sink: WebhookReceiver;
    let endOnly: WebhookReceiver;
    let bystander: WebhookReceiver;
    let turn: any;
    let sessionId: string;

    beforeAll(async () => {
      user = await registerUser(t.http, 'hooked');
      sink = await receiver();
      endOnly = await receiver();
      bystander = await receiver();
      const created = await register(t.http, user, sink.url);
      expect(created.status).toBe(201);
      hook = created.body;
      expect((await register(t.http, user, endOnly.url, ['run.finished'])).status).toBe(201);
      const other = await registerUser(t.http, 'bystander');
      expect((await register(t.http, other, bystander.url)).status).toBe(201);

      sessionId = await createSession(t.http, user.token);
      scriptTurn(fake, twoToolTurn());
      const res = await postMessage(t.http, user.token, sessionId, 'Build it');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'completed' });
      turn = res.body;
      await eventually(
        async () => (sink.received.length >= 4 && endOnly.received.length >= 1 ? true : undefined),
        15_000,
        'the four deliveries of the turn',
      );
    });

    it('answers the registration with the secret, once, and lists the webhook without it', async () => {
      expect(hook).toEqual({
        id: expect.any(Number),
        url: sink.url,
        events: ALL_EVENTS,
        secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/),
        created_at: ISO,
      });
      const list = await t.http.get('/api/webhooks', { token: user.token });
      expect(list.status).toBe(200);
      expect(list.body).toEqual([
        { id: hook.id, url: sink.url, events: ALL_EVENTS, created_at: ISO },
        { id: expect.any(Number), url: endOnly.url, events: ['run.finished'], created_at: ISO },
      ]);
      expect(list.text).not.toContain('whsec_');
    });

    it('signs every delivery so that the Standard Webhooks library verifies it, and only with the right secret', () => {
      expect(sink.received).toHaveLength(4);
      for (const d of sink.received) {
        expect(verify(hook.secret, d)).toEqual(JSON.parse(d.raw));
        expect(() => verify('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', d)).toThrow(/signature/i);
        expect(d.headers['content-type']).toBe('application/json');
        expect(d.headers['user-agent']).toMatch(/^Aeio-Dev-Agent-Webhooks\//);
        expect(d.headers['webhook-id']).toMatch(/^msg_[0-9a-f]{32}$/);
        expect(Math.abs(Number(d.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(
          60,
        );
        expect(d.body).toEqual({
          type: expect.any(String),
          timestamp: ISO,
          data: expect.any(Object),
        });
      }
      expect(new Set(sink.received.map((d) => d.headers['webhook-id'])).size).toBe(4);
    });

    it('sends run.started, a step.finished for each tool call and run.finished, with the ids the API shows', async () => {
      expect(sink.received.map((d) => d.body.type).sort()).toEqual([
        'run.finished',
        'run.started',
        'step.finished',
        'step.finished',
      ]);
      const messages = await t.http.get(`/api/sessions/${sessionId}/messages`, {
        token: user.token,
      });
      const userMessage = (messages.body as any[]).find((m) => m.role === 'user');
      expect(sink.of('run.started')[0].body.data).toEqual({
        session_id: sessionId,
        message_id: turn.id,
        user_message_id: userMessage.id,
        started_at: ISO,
      });
      const apiSteps = await steps(t.http, user.token, sessionId);
      expect(apiSteps).toHaveLength(2);
      const hookSteps = sink
        .of('step.finished')
        .map((d) => d.body.data)
        .sort((a, b) => a.step.id - b.step.id);
      expect(hookSteps).toEqual(
        apiSteps.map((step) => ({ session_id: sessionId, message_id: turn.id, step })),
      );
      expect(hookSteps.map((s) => [s.step.tool_name, s.step.status, s.step.version])).toEqual([
        ['write_file', 'completed', 1],
        ['write_file', 'completed', 2],
      ]);
      expect(sink.of('run.finished')[0].body.data).toEqual({
        session_id: sessionId,
        message_id: turn.id,
        message: turn,
      });
      expect(turn).toMatchObject({ version_before: 0, version_after: 2 });
    });

    it('sends a webhook only the events it listens to, and nothing to other users', () => {
      expect(endOnly.received.map((d) => d.body.type)).toEqual(['run.finished']);
      expect(endOnly.received[0].body.data.message_id).toBe(turn.id);
      expect(bystander.received).toEqual([]);
    });

    it('lists the deliveries newest first, each delivered on its first attempt, a page at a time', async () => {
      const all = await deliveries(t.http, user, hook.id);
      expect(all.headers.get('link')).toBeNull();
      expect(all.body).toHaveLength(4);
      const ids = (all.body as any[]).map((d) => d.id);
      expect(ids).toEqual([...ids].sort((a, b) => b - a));
      for (const d of all.body as any[]) {
        expect(d).toEqual({
          id: expect.any(Number),
          event: expect.stringMatching(/^(run\.started|step\.finished|run\.finished)$/),
          status: 'delivered',
          attempts: 1,
          last_status_code: 200,
          created_at: ISO,
          delivered_at: ISO,
        });
      }
      const first = await deliveries(t.http, user, hook.id, '?limit=3');
      expect(first.body).toEqual(all.body.slice(0, 3));
      const link = first.headers.get('link');
      expect(link).toMatch(/^<\/api\/webhooks\/\d+\/deliveries\?[^>]*before=[^>]+>; rel="next"$/);
      const next = await t.http.get(/^<([^>]+)>/.exec(link!)![1], { token: user.token });
      expect(next.body).toEqual(all.body.slice(3));
      expect(next.headers.get('link')).toBeNull();
      const bad = await t.http.get(`/api/webhooks/${hook.id}/deliveries?before=nonsense`, {
        token: user.token,
      });
      expect(bad.status).toBe(422);
    });
  });

  it('retries a delivery the endpoint answered 500 with the same webhook-id, after the back-off', async () => {
    const user = await registerUser(t.http, 'retry');
    const flaky = await receiver((n) => (n === 0 ? 500 : 200));
    const hook = (await register(t.http, user, flaky.url, ['run.finished'])).body;
    const sessionId = await createSession(t.http, user.token);
    scriptTurn(fake, [streamed(say('Nothing to write.'))]);
    expect((await postMessage(t.http, user.token, sessionId, 'hi')).status).toBe(200);

    const [row] = await eventually(async () => {
      const res = await deliveries(t.http, user, hook.id);
      return res.body[0]?.status === 'delivered' ? res.body : undefined;
    }, 15_000);
    expect(row).toMatchObject({ event: 'run.finished', attempts: 2, last_status_code: 200 });
    expect(flaky.received).toHaveLength(2);
    const [first, second] = flaky.received;
    expect(second.headers['webhook-id']).toBe(first.headers['webhook-id']);
    expect(second.raw).toBe(first.raw);
    expect(verify(hook.secret, first)).toBeDefined();
    expect(verify(hook.secret, second)).toBeDefined();
    // WEBHOOK_RETRY_BASE_MS=200: the retry waited for the back-off.
    expect(second.at - first.at).toBeGreaterThanOrEqual(150);
  });

  it('finishes a turn while an endpoint that never answers still holds its delivery', async () => {
    const user = await registerUser(t.http, 'silent');
    const silent = await receiver(() => 'hang');
    const hook = (await register(t.http, user, silent.url)).body;
    const sessionId = await createSession(t.http, user.token);
    // The closing text streams for about a second, long after run.started was sent.
    scriptTurn(fake, [
      streamed(callTools([{ name: 'write_file', args: { filename: 'a.txt', content: 'a' } }])),
      streamed(say('All written, slowly.', 6), { delayMs: 200 }),
    ]);
    const res = await postMessage(t.http, user.token, sessionId, 'go');
    const endedAt = Date.now();
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('completed');
    // The endpoint got run.started before the turn ended, and was still holding it when it did.
    expect(silent.received.length).toBeGreaterThan(0);
    expect(silent.of('run.started')[0].at).toBeLessThan(endedAt);
    expect(silent.received.every((d) => !d.answered)).toBe(true);
    const list = await deliveries(t.http, user, hook.id);
    expect((list.body as any[]).find((d) => d.event === 'run.started')).toMatchObject({
      status: 'pending',
      attempts: 1,
      last_status_code: null,
      delivered_at: null,
    });
    // Stop the endless retries of this endpoint.
    expect((await t.http.delete(`/api/webhooks/${hook.id}`, { token: user.token })).body).toEqual({
      message: 'Webhook deleted successfully',
    });
  });

  describe('registration rules', () => {
    let user: TestUser;
    beforeAll(async () => {
      user = await registerUser(t.http, 'rules');
    });

    it.each([
      ['an ftp URL', { url: 'ftp://127.0.0.1/x', events: ['run.started'] }, 'url'],
      ['a relative URL', { url: '/hook', events: ['run.started'] }, 'url'],
      ['not a URL', { url: 'not a url', events: ['run.started'] }, 'url'],
      ['credentials in the URL', { url: 'http://u:p@127.0.0.1/x', events: ['run.started'] }, 'url'],
      [
        'a URL over 2048 chars',
        { url: `http://127.0.0.1/${'a'.repeat(2040)}`, events: ['run.started'] },
        'url',
      ],
      ['a number as URL', { url: 42, events: ['run.started'] }, 'url'],
      ['no URL', { events: ['run.started'] }, 'url'],
      ['no events', { url: 'http://127.0.0.1/x' }, 'events'],
      ['an empty event list', { url: 'http://127.0.0.1/x', events: [] }, 'events'],
      ['an unknown event', { url: 'http://127.0.0.1/x', events: ['run.exploded'] }, 'events'],
      [
        'a duplicate event',
        { url: 'http://127.0.0.1/x', events: ['run.started', 'run.started'] },
        'events',
      ],
      ['events as a string', { url: 'http://127.0.0.1/x', events: 'run.started' }, 'events'],
      [
        'a host that does not resolve',
        { url: 'http://no-such-host.invalid/x', events: ['run.started'] },
        'url',
      ],
    ])('refuses %s with 422 and a field error', async (_label, body, field) => {
      const res = await t.http.post('/api/webhooks', { token: user.token, body });
      expect(res.status).toBe(422);
      expect(res.body.detail).toEqual(expect.any(String));
      expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
    });

    it('registered none of the refused ones', async () => {
      const list = await t.http.get('/api/webhooks', { token: user.token });
      expect(list.body).toEqual([]);
    });

    it('caps the webhooks of one user (WEBHOOK_MAX_PER_USER) with a clear 403, and frees a place on delete', async () => {
      const ids: number[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await register(t.http, user, `http://127.0.0.1:9/hook${i}`);
        expect(res.status).toBe(201);
        ids.push(res.body.id);
      }
      const over = await register(t.http, user, 'http://127.0.0.1:9/hook3');
      expect(over.status).toBe(403);
      expect(over.body).toEqual({ detail: expect.stringMatching(/3 webhooks, the most allowed/) });
      const del = await t.http.delete(`/api/webhooks/${ids[0]}`, { token: user.token });
      expect(del.status).toBe(200);
      expect(del.body).toEqual({ message: 'Webhook deleted successfully' });
      expect((await register(t.http, user, 'http://127.0.0.1:9/hook3')).status).toBe(201);
      expect((await t.http.delete(`/api/webhooks/${ids[0]}`, { token: user.token })).status).toBe(
        404,
      );
    });
  });
});

describe('webhooks: private targets refused', () => {
  const fake = new FakeOpenAi(() => streamed(say('Done.')));
  const sink = new WebhookReceiver();
  let db: TestDatabase;
  let t: TestApp;
  let user: TestUser;
  let hookId: number;

  beforeAll(async () => {
    await fake.start();
    await sink.start();
    db = await createTestDatabase();
    // Registered while loopback was allowed, then the service restarts with the guard on.
    const before = await startTestApp(llmEnv(fake, HOOK_ENV), db);
    user = await registerUser(before.http, 'guarded');
    const res = await register(before.http, user, sink.url, ['run.finished']);
    expect(res.status).toBe(201);
    hookId = res.body.id;
    await before.close();
    t = await startTestApp(
      llmEnv(fake, {
        ...HOOK_ENV,
        WEBHOOK_ALLOW_PRIVATE_TARGETS: 'false',
        WEBHOOK_MAX_ATTEMPTS: '2',
        WEBHOOK_RETRY_BASE_MS: '100',
      }),
      db,
    );
  });
  afterAll(async () => {
    await sink.close();
    await t.close();
    await db.drop();
    await fake.close();
  });

  it.each([
    'http://127.0.0.1:8080/hook',
    'http://localhost/hook',
    'http://169.254.169.254/latest/meta-data/',
    'http://[::1]/hook',
    'http://10.0.0.1/',
    'http://192.168.1.10/hook',
    'http://100.64.0.1/hook',
    'http://[fd00::1]/hook',
    'http://[fe80::1]/hook',
    'http://[::ffff:127.0.0.1]/hook',
    'http://2130706433/hook',
    'http://0.0.0.0/hook',
  ])('refuses %s with 422', async (url) => {
    const res = await register(t.http, user, url);
    expect(res.status).toBe(422);
    expect(res.body.detail).toMatch(/not a public address/);
    expect(res.body.errors).toEqual([{ field: 'url', message: expect.any(String) }]);
  });

  it('accepts a public address', async () => {
    const res = await register(t.http, user, 'https://93.184.216.34/hook', ['run.started']);
    expect(res.status).toBe(201);
    expect(
      (await t.http.delete(`/api/webhooks/${res.body.id}`, { token: user.token })).status,
    ).toBe(200);
  });

  it('refuses again at delivery time, without connecting, a target that became private', async () => {
    const sessionId = await createSession(t.http, user.token);
    expect((await postMessage(t.http, user.token, sessionId, 'hello')).status).toBe(200);
    const [row] = await eventually(async () => {
      const res = await deliveries(t.http, user, hookId);
      return res.body[0]?.status === 'failed' ? res.body : undefined;
    }, 15_000);
    expect(row).toMatchObject({
      event: 'run.finished',
      attempts: 2,
      last_status_code: null,
      delivered_at: null,
    });
    expect(sink.received).toEqual([]);
    const [stored] = await db.query<{ last_error: string }>(
      `SELECT last_error FROM webhook_deliveries WHERE webhook_id = $1`,
      [hookId],
    );
    expect(stored.last_error).toMatch(/not a public address/);
  });
});

describe('webhooks: restarts and dead replicas', () => {
  const fake = new FakeOpenAi(() => streamed(say('Done.')));
  const receivers: WebhookReceiver[] = [];
  let db: TestDatabase;
  const env = () =>
    llmEnv(fake, { ...HOOK_ENV, WEBHOOK_MAX_ATTEMPTS: '12', WEBHOOK_TIMEOUT_MS: '2000' });

  beforeAll(async () => {
    await fake.start();
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await Promise.all(receivers.map((r) => r.close()));
    await db.drop();
    await fake.close();
  });

  it('delivers everything to an endpoint that was down while the service stopped and started again', async () => {
    const port = await freePort();
    const a = await startTestApp(env(), db);
    let user: TestUser;
    let hook: { id: number; secret: string };
    try {
      user = await registerUser(a.http, 'restart');
      hook = (await register(a.http, user, `http://127.0.0.1:${port}/hook`)).body;
      const sessionId = await createSession(a.http, user.token);
      scriptTurn(fake, [
        streamed(callTools([{ name: 'write_file', args: { filename: 'a.txt', content: 'a' } }])),
        streamed(say('Done.')),
      ]);
      expect((await postMessage(a.http, user.token, sessionId, 'go')).status).toBe(200);
      // Each of the three has been tried and refused (nothing listens on the port).
      await eventually(async () => {
        const res = await deliveries(a.http, user, hook.id);
        return res.body.length === 3 && res.body.every((d: any) => d.attempts >= 1)
          ? true
          : undefined;
      }, 15_000);
      const list = await deliveries(a.http, user, hook.id);
      for (const d of list.body as any[]) {
        expect(d).toMatchObject({ status: 'pending', last_status_code: null });
      }
    } finally {
      await a.close();
    }

    const sink = new WebhookReceiver();
    receivers.push(sink);
    await sink.start(port);
    const b = await startTestApp(env(), db);
    try {
      await eventually(
        async () => (sink.received.length >= 3 ? true : undefined),
        20_000,
        'the deliveries after the restart',
      );
      expect(sink.received.map((d) => d.body.type).sort()).toEqual([
        'run.finished',
        'run.started',
        'step.finished',
      ]);
      sink.received.forEach((d) => verify(hook.secret, d));
      const done = await eventually(async () => {
        const res = await deliveries(b.http, user, hook.id);
        return res.body.every((d: any) => d.status === 'delivered') ? res.body : undefined;
      });
      expect(done.every((d: any) => d.attempts >= 2 && d.last_status_code === 200)).toBe(true);
    } finally {
      await b.close();
    }
  });

  it('retries, with the same webhook-id, a delivery whose replica died mid-attempt once its lease runs out', async () => {
    // The first attempt is held; the replica making it is killed; the next one is answered.
    const sink = new WebhookReceiver((n) => (n === 0 ? 'hang' : 200));
    receivers.push(sink);
    await sink.start();
    const a = await startTestProcess(env(), db);
    const user = await registerUser(a.http, 'lease');
    const hook = (await register(a.http, user, sink.url, ['run.finished'])).body;
    const sessionId = await createSession(a.http, user.token);
    scriptTurn(fake, [streamed(say('Done.'))]);
    expect((await postMessage(a.http, user.token, sessionId, 'go')).status).toBe(200);
    await eventually(async () => (sink.received.length === 1 ? true : undefined));
    a.process.kill('SIGKILL');
    await new Promise((r) => a.process.once('exit', r));

    const b = await startTestApp(env(), db);
    try {
      await eventually(
        async () => (sink.received.length >= 2 ? true : undefined),
        20_000,
        'the retry after the lease ran out',
      );
      const [first, second] = sink.received;
      expect(second.headers['webhook-id']).toBe(first.headers['webhook-id']);
      verify(hook.secret, second);
      const [row] = await eventually(async () => {
        const res = await deliveries(b.http, user, hook.id);
        return res.body[0]?.status === 'delivered' ? res.body : undefined;
      });
      expect(row).toMatchObject({ attempts: 2, last_status_code: 200 });
      expect(sink.received).toHaveLength(2);
    } finally {
      await b.close();
    }
  });

  it('sends run.finished for a turn the stale-run sweep ended after its replica died', async () => {
    const sink = new WebhookReceiver();
    receivers.push(sink);
    await sink.start();
    const a = await startTestProcess(env(), db);
    const user = await registerUser(a.http, 'swept');
    const hook = (await register(a.http, user, sink.url, ['run.started', 'run.finished'])).body;
    const sessionId = await createSession(a.http, user.token);
    // The provider never answers: the turn is running when its replica is killed.
    fake.scriptFromNow(() => ({ kind: 'hang' }));
    const orphan = postMessage(a.http, user.token, sessionId, 'never ends').catch(() => null);
    await eventually(async () => (sink.of('run.started').length === 1 ? true : undefined));
    a.process.kill('SIGKILL');
    await new Promise((r) => a.process.once('exit', r));
    await orphan;

    const b = await startTestApp({ ...env(), AGENT_STALE_RUN_MS: '1000' }, db);
    try {
      const [ended] = await eventually(
        async () => (sink.of('run.finished').length > 0 ? sink.of('run.finished') : undefined),
        20_000,
        'run.finished of the swept turn',
      );
      verify(hook.secret, ended);
      const started = sink.of('run.started')[0].body.data;
      expect(ended.body.data).toEqual({
        session_id: sessionId,
        message_id: started.message_id,
        message: expect.objectContaining({
          id: started.message_id,
          status: 'failed',
          finish_reason: 'interrupted',
        }),
      });
    } finally {
      await b.close();
    }
  });
});

describe('webhooks: a back-off longer than 24.8 days (past 2^31 ms)', () => {
  const fake = new FakeOpenAi(() => streamed(say('Done.')));
  const failing = new WebhookReceiver(() => 500);
  let t: TestApp;

  beforeAll(async () => {
    await fake.start();
    await failing.start();
    // A retry base of ~35 days stands for any long schedule: a base of 1 min reaches it at attempt 17.
    t = await startTestApp(
      llmEnv(fake, {
        ...HOOK_ENV,
        WEBHOOK_RETRY_BASE_MS: '3000000000',
        WEBHOOK_TIMEOUT_MS: '1000',
        WEBHOOK_MAX_ATTEMPTS: '6',
      }),
    );
  });
  afterAll(async () => {
    await failing.close();
    await t.close();
    await fake.close();
  });

  it('records the failed attempt and waits for the back-off, not for the lease to run out', async () => {
    const user = await registerUser(t.http, 'longwait');
    const hook = (await register(t.http, user, failing.url, ['run.finished'])).body;
    const sessionId = await createSession(t.http, user.token);
    expect((await postMessage(t.http, user.token, sessionId, 'hi')).status).toBe(200);
    await eventually(async () => (failing.received.length > 0 ? true : undefined), 10_000);
    // The lease is 2 × 1 s + 1 s: well past it, the delivery must still be waiting for its back-off.
    await new Promise((r) => setTimeout(r, 4500));
    expect(failing.received).toHaveLength(1);
    const [row] = (await deliveries(t.http, user, hook.id)).body;
    expect(row).toMatchObject({ status: 'pending', attempts: 1, last_status_code: 500 });
    const [due] = await t.db.query<{ days: number }>(
      `SELECT extract(epoch FROM next_attempt_at - now()) / 86400 AS days FROM webhook_deliveries
        WHERE webhook_id = $1`,
      [hook.id],
    );
    expect(Number(due.days)).toBeGreaterThan(34);
  });
});
