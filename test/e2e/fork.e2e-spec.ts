import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { llmEnv, postMessage } from '../support/agent-helpers.js';
import { callTools, FakeOpenAi, say, streamed, type Reply } from '../support/fake-openai.js';
import { createSession, registerUser, writeFile, type TestUser } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const base = (id: string) => `/api/sessions/${id}`;

describe('fork', () => {
  const fake = new FakeOpenAi(() => streamed(say('nothing scripted')));
  let t: TestApp;
  let user: TestUser;

  beforeAll(async () => {
    await fake.start();
    t = await startTestApp(llmEnv(fake, { LIMIT_SESSIONS_FREE: '6' }));
    user = await registerUser(t.http);
  });
  afterAll(async () => {
    await t.close();
    await fake.close();
  });

  const script = (replies: Reply[]) => {
    const offset = fake.requests.length;
    fake.script = (_req, n) => replies[n - offset] ?? streamed(say('Done.'));
  };

  const files = async (id: string) => {
    const listing = (await t.http.get(`${base(id)}/sandbox/files`, { token: user.token })).body;
    const out: Record<string, string> = {};
    for (const f of listing.files) {
      out[f.name] = (
        await t.http.get(`${base(id)}/sandbox/files/${f.name}`, { token: user.token })
      ).body.content;
    }
    return out;
  };

  const turn = async (id: string, content: string, filename: string, body: string) => {
    script([
      streamed(callTools([{ name: 'write_file', args: { filename, content: body } }])),
      streamed(say(`Wrote ${filename}.`)),
    ]);
    const res = await postMessage(t.http, user.token, id, content);
    expect(res.status).toBe(200);
    return res.body;
  };

  it('copies the files of a version and the conversation up to the turn that made it; the source is untouched', async () => {
    const source = await createSession(t.http, user.token, 'Shop');
    const first = await turn(source, 'make a page', 'index.html', '<h1>one</h1>');
    await turn(source, 'add styles', 'style.css', 'h1{}');
    const sourceFiles = await files(source);
    const sourceMessages = (await t.http.get(`${base(source)}/messages`, { token: user.token }))
      .body;

    const res = await t.http.post(`${base(source)}/fork`, {
      token: user.token,
      body: { version: first.version_after, title: 'Shop, take two' },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      title: 'Shop, take two',
      id: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    const fork = res.body.id as string;
    expect(fork).not.toBe(source);
    expect(await files(fork)).toEqual({ 'index.html': '<h1>one</h1>' });
    const messages = (await t.http.get(`${base(fork)}/messages`, { token: user.token })).body;
    expect(messages.map((m: any) => [m.role, m.content])).toEqual([
      ['user', 'make a page'],
      ['assistant', 'Wrote index.html.'],
    ]);
    const versions = (await t.http.get(`${base(fork)}/versions`, { token: user.token })).body;
    expect(versions.map((v: any) => [v.version, v.source])).toEqual([
      [1, 'fork'],
      [0, 'api'],
    ]);
    expect(
      (await t.http.get('/api/sessions', { token: user.token })).body.map((s: any) => s.id),
    ).toContain(fork);

    expect(await files(source)).toEqual(sourceFiles);
    expect((await t.http.get(`${base(source)}/messages`, { token: user.token })).body).toEqual(
      sourceMessages,
    );
  });

  it('forks the current state by default, titled after the source', async () => {
    const source = await createSession(t.http, user.token, 'Blog');
    await writeFile(t.http, user.token, source, 'index.html', 'now');
    const res = await t.http.post(`${base(source)}/fork`, { token: user.token, body: {} });
    expect(res.status).toBe(201);
    expect(res.body.title).toBe('Blog (fork)');
    expect(await files(res.body.id)).toEqual({ 'index.html': 'now' });
  });

  it('keeps a fork whole after its source is deleted', async () => {
    const source = await createSession(t.http, user.token, 'Doomed');
    await turn(source, 'build it', 'index.html', '<h1>kept</h1>');
    const fork = (await t.http.post(`${base(source)}/fork`, { token: user.token, body: {} })).body
      .id;
    expect((await t.http.delete(base(source), { token: user.token })).status).toBe(200);
    expect(await files(fork)).toEqual({ 'index.html': '<h1>kept</h1>' });
    const versions = (await t.http.get(`${base(fork)}/versions`, { token: user.token })).body;
    expect(versions[0]).toMatchObject({ version: 1, source: 'fork' });
    const v1 = (await t.http.get(`${base(fork)}/versions/1`, { token: user.token })).body;
    expect(v1.changes[0].diff).toContain('+<h1>kept</h1>');
    expect((await t.http.get(`${base(fork)}/messages`, { token: user.token })).body).toHaveLength(
      2,
    );
    const restore = await t.http.post(`${base(fork)}/versions/0/restore`, { token: user.token });
    expect(restore.status).toBe(200);
    expect(await files(fork)).toEqual({});
  });

  it('answers 404 for a version that does not exist, 422 for a bad body, 403 past the session cap', async () => {
    const source = await createSession(t.http, user.token, 'Edge');
    const missing = await t.http.post(`${base(source)}/fork`, {
      token: user.token,
      body: { version: 4 },
    });
    expect(missing.status).toBe(404);
    const bad = await t.http.post(`${base(source)}/fork`, {
      token: user.token,
      body: { version: 'one' },
    });
    expect(bad.status).toBe(422);
    const before = (await t.http.get('/api/sessions', { token: user.token })).body.length;
    for (let n = before; n < 6; n++) {
      expect(
        (await t.http.post(`${base(source)}/fork`, { token: user.token, body: {} })).status,
      ).toBe(201);
    }
    const capped = await t.http.post(`${base(source)}/fork`, { token: user.token, body: {} });
    expect(capped.status).toBe(403);
    expect((await t.http.get('/api/sessions', { token: user.token })).body).toHaveLength(6);
  });
});
