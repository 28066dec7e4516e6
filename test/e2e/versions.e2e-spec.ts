import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually, llmEnv, postMessage, steps } from '../support/agent-helpers.js';
import { callTools, FakeOpenAi, say, streamed, type Reply } from '../support/fake-openai.js';
import { createSession, registerUser, writeFile, type TestUser } from '../support/factories.js';
import type { HttpClient } from '../support/http-client.js';
import { runCli } from '../support/cli.js';
import { createTestDatabase } from '../support/database.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { Versions1764400000000 } from '../../src/database/migrations/1764400000000-versions.js';
import { MIGRATIONS } from '../../src/database/migrations/index.js';

const base = (id: string) => `/api/sessions/${id}`;

async function listing(http: HttpClient, token: string, id: string, version?: number) {
  const path =
    version === undefined ? `${base(id)}/sandbox/files` : `${base(id)}/versions/${version}/files`;
  const res = await http.get(path, { token });
  expect(res.status).toBe(200);
  return res.body as { files: { name: string; size: number }[]; total_size: number };
}

async function contents(http: HttpClient, token: string, id: string) {
  const out: Record<string, string> = {};
  for (const f of (await listing(http, token, id)).files) {
    out[f.name] = (await http.get(`${base(id)}/sandbox/files/${f.name}`, { token })).body.content;
  }
  return out;
}

describe('versions', () => {
  const fake = new FakeOpenAi(() => streamed(say('nothing scripted')));
  let t: TestApp;
  let user: TestUser;

  beforeAll(async () => {
    await fake.start();
    t = await startTestApp(llmEnv(fake));
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

  it('numbers every API write and delete, newest first, from the empty version 0', async () => {
    const id = await createSession(t.http, user.token);
    const empty = await t.http.get(`${base(id)}/versions`, { token: user.token });
    expect(empty.status).toBe(200);
    expect(empty.body).toEqual([
      expect.objectContaining({ version: 0, changes: [], message_id: null, step_id: null }),
    ]);

    await writeFile(t.http, user.token, id, 'index.html', '<h1>One</h1>\n');
    await writeFile(t.http, user.token, id, 'index.html', '<h1>Two</h1>\n');
    await writeFile(t.http, user.token, id, 'css/site.css', 'body{}');
    expect(
      (await t.http.delete(`${base(id)}/sandbox/files/css/site.css`, { token: user.token })).status,
    ).toBe(200);

    const res = await t.http.get(`${base(id)}/versions`, { token: user.token });
    expect(res.body.map((v: any) => [v.version, v.source, v.changes])).toEqual([
      [4, 'api', [{ filename: 'css/site.css', change: 'deleted', size: 0 }]],
      [3, 'api', [{ filename: 'css/site.css', change: 'added', size: 6 }]],
      [2, 'api', [{ filename: 'index.html', change: 'modified', size: 13 }]],
      [1, 'api', [{ filename: 'index.html', change: 'added', size: 13 }]],
      [0, 'api', []],
    ]);
    expect(res.body[0].created_at).toMatch(/^\d{4}-\d\d-\d\dT.*Z$/);
  });

  it('pages the list with ?limit and a Link to the next page', async () => {
    const id = await createSession(t.http, user.token);
    for (const n of [1, 2, 3]) {
      await writeFile(t.http, user.token, id, `f${n}.txt`, `${n}`);
    }
    const first = await t.http.get(`${base(id)}/versions?limit=2`, { token: user.token });
    expect(first.body.map((v: any) => v.version)).toEqual([3, 2]);
    const link = first.headers.get('link')!;
    expect(link).toMatch(/rel="next"/);
    const next = link.slice(1, link.indexOf('>'));
    const second = await t.http.get(next, { token: user.token });
    expect(second.body.map((v: any) => v.version)).toEqual([1, 0]);
    expect(second.headers.get('link')).toBeNull();
    expect((await t.http.get(`${base(id)}/versions?limit=0`, { token: user.token })).status).toBe(
      422,
    );
  });

  it('shows a version with unified diffs, the files at it, and a diff between two versions', async () => {
    const id = await createSession(t.http, user.token);
    await writeFile(t.http, user.token, id, 'index.html', '<h1>Hi</h1>\n<p>x</p>\n');
    await writeFile(t.http, user.token, id, 'index.html', '<h1>Hello</h1>\n<p>x</p>\n');
    await writeFile(t.http, user.token, id, 'a.txt', 'aaa\n');

    const v2 = await t.http.get(`${base(id)}/versions/2`, { token: user.token });
    expect(v2.status).toBe(200);
    expect(v2.body).toMatchObject({ version: 2, source: 'api' });
    const [change] = v2.body.changes;
    expect(change).toMatchObject({
      filename: 'index.html',
      change: 'modified',
      size: 24,
      size_before: 21,
    });
    expect(change.diff).toContain('--- a/index.html');
    expect(change.diff).toContain('-<h1>Hi</h1>');
    expect(change.diff).toContain('+<h1>Hello</h1>');

    expect(await listing(t.http, user.token, id, 1)).toEqual({
      files: [{ name: 'index.html', size: 21 }],
      total_size: 21,
    });
    const old = await t.http.get(`${base(id)}/versions/1/files/index.html`, { token: user.token });
    expect(old.body).toEqual({
      filename: 'index.html',
      content: '<h1>Hi</h1>\n<p>x</p>\n',
      size: 21,
    });
    expect(
      (await t.http.get(`${base(id)}/versions/1/files/a.txt`, { token: user.token })).status,
    ).toBe(404);

    const diff = await t.http.get(`${base(id)}/diff?from=1&to=3`, { token: user.token });
    expect(diff.status).toBe(200);
    expect(diff.body.from).toBe(1);
    expect(diff.body.to).toBe(3);
    expect(
      diff.body.changes.map((c: any) => [c.filename, c.change, c.size_before, c.size_after]),
    ).toEqual([
      ['a.txt', 'added', null, 4],
      ['index.html', 'modified', 21, 24],
    ]);
    expect(diff.body.changes[0].diff).toContain('+aaa');
    const back = await t.http.get(`${base(id)}/diff?from=3&to=0`, { token: user.token });
    expect(back.body.changes.map((c: any) => c.change)).toEqual(['deleted', 'deleted']);
  });

  it('answers 404 for a version that does not exist, 400 for one that is not a number, 422 for a bad diff query', async () => {
    const id = await createSession(t.http, user.token);
    const token = user.token;
    for (const path of [
      'versions/1',
      'versions/7/files',
      'versions/3/files/index.html',
      'diff?from=0&to=9',
    ]) {
      const res = await t.http.get(`${base(id)}/${path}`, { token });
      expect([path, res.status]).toEqual([path, 404]);
      expect(res.body.detail).toEqual(expect.any(String));
    }
    expect((await t.http.post(`${base(id)}/versions/5/restore`, { token })).status).toBe(404);
    expect((await t.http.get(`${base(id)}/versions/abc`, { token })).status).toBe(400);
    expect((await t.http.get(`${base(id)}/versions/0/files/..%2Fx`, { token })).status).toBe(400);
    expect((await t.http.get(`${base(id)}/diff?from=x&to=1`, { token })).status).toBe(422);
    expect((await t.http.get(`${base(id)}/diff`, { token })).status).toBe(422);
  });

  it('restores a version exactly, as a new version that can itself be undone', async () => {
    const id = await createSession(t.http, user.token);
    await writeFile(t.http, user.token, id, 'index.html', 'one');
    await writeFile(t.http, user.token, id, 'index.html', 'two');
    await writeFile(t.http, user.token, id, 'extra.js', 'x');

    const res = await t.http.post(`${base(id)}/versions/1/restore`, { token: user.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ version: 4, restored_from: 1 });
    expect(await contents(t.http, user.token, id)).toEqual({ 'index.html': 'one' });
    expect((await listing(t.http, user.token, id)).total_size).toBe(3);
    const v4 = (await t.http.get(`${base(id)}/versions/4`, { token: user.token })).body;
    expect(v4).toMatchObject({ source: 'restore', restored_from: 1 });
    expect(v4.changes.map((c: any) => [c.filename, c.change])).toEqual([
      ['extra.js', 'deleted'],
      ['index.html', 'modified'],
    ]);

    const undo = await t.http.post(`${base(id)}/versions/3/restore`, { token: user.token });
    expect(undo.body).toEqual({ version: 5, restored_from: 3 });
    expect(await contents(t.http, user.token, id)).toEqual({
      'index.html': 'two',
      'extra.js': 'x',
    });

    const empty = await t.http.post(`${base(id)}/versions/0/restore`, { token: user.token });
    expect(empty.status).toBe(200);
    expect(await listing(t.http, user.token, id)).toEqual({ files: [], total_size: 0 });
  });

  it('sends an ETag and honours If-Match on write and delete (412 on mismatch, nothing changed)', async () => {
    const id = await createSession(t.http, user.token);
    const token = user.token;
    const file = `${base(id)}/sandbox/files/index.html`;
    const saved = await writeFile(t.http, token, id, 'index.html', 'mine');
    const read = await t.http.get(file, { token });
    const etag = read.headers.get('etag')!;
    expect(etag).toMatch(/^"[0-9a-f]{64}"$/);
    expect(saved.headers.get('etag')).toBe(etag);

    // Someone else (the agent) writes in between: the stale tag is refused.
    await writeFile(t.http, token, id, 'index.html', 'theirs');
    const stale = await t.http.post(file, {
      token,
      body: { content: 'mine v2' },
      headers: { 'if-match': etag },
    });
    expect(stale.status).toBe(412);
    expect(stale.body).toEqual({ detail: expect.any(String) });
    expect((await t.http.get(file, { token })).body.content).toBe('theirs');
    expect((await t.http.delete(file, { token, headers: { 'if-match': etag } })).status).toBe(412);

    const fresh = (await t.http.get(file, { token })).headers.get('etag')!;
    const ok = await t.http.post(file, {
      token,
      body: { content: 'mine v2' },
      headers: { 'if-match': fresh },
    });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('etag')).not.toBe(fresh);
    const missing = await t.http.post(`${base(id)}/sandbox/files/new.txt`, {
      token,
      body: { content: 'x' },
      headers: { 'if-match': '*' },
    });
    expect(missing.status).toBe(412);
    const now = (await t.http.get(file, { token })).headers.get('etag')!;
    expect((await t.http.delete(file, { token, headers: { 'if-match': now } })).status).toBe(200);
  });

  it('links turns and steps to versions; restoring version_before of turn 2 brings back exactly the turn-1 state', async () => {
    const id = await createSession(t.http, user.token);
    const token = user.token;
    // Turn 1: index.html and old.js.
    script([
      streamed(
        callTools([
          { name: 'write_file', args: { filename: 'index.html', content: '<h1>v1</h1>' } },
          { name: 'write_file', args: { filename: 'old.js', content: 'old()' } },
        ]),
      ),
      streamed(say('Turn one done.')),
    ]);
    const turn1 = await postMessage(t.http, token, id, 'Start a site');
    expect(turn1.body).toMatchObject({ status: 'completed', version_before: 0, version_after: 2 });
    const turn1Steps = await steps(t.http, token, id);
    expect(turn1Steps.map((s) => s.version)).toEqual([1, 2]);
    const v1 = (await t.http.get(`${base(id)}/versions/1`, { token })).body;
    expect(v1).toMatchObject({
      source: 'agent',
      message_id: turn1.body.id,
      step_id: turn1Steps[0].id,
    });

    // Turn 2: modifies index.html, adds style.css, deletes old.js; a failed and a no-op call add nothing.
    script([
      streamed(
        callTools([
          { name: 'write_file', args: { filename: 'index.html', content: '<h1>v2</h1>' } },
          { name: 'write_file', args: { filename: 'style.css', content: 'h1{}' } },
          { name: 'delete_file', args: { filename: 'old.js' } },
          { name: 'delete_file', args: { filename: 'missing.js' } },
          { name: 'write_file', args: { filename: 'style.css', content: 'h1{}' } },
        ]),
      ),
      streamed(say('Turn two done.')),
    ]);
    const turn2 = await postMessage(t.http, token, id, 'Restyle it');
    expect(turn2.body).toMatchObject({ version_before: 2, version_after: 5 });
    expect((await steps(t.http, token, id)).map((s) => [s.status, s.version])).toEqual([
      ['completed', 3],
      ['completed', 4],
      ['completed', 5],
      ['failed', null],
      ['completed', null],
    ]);

    // Turn 3: another change on top.
    script([
      streamed(
        callTools([
          { name: 'write_file', args: { filename: 'index.html', content: '<h1>v3</h1>' } },
        ]),
      ),
      streamed(say('Turn three done.')),
    ]);
    const turn3 = await postMessage(t.http, token, id, 'Change the title');
    expect(turn3.body).toMatchObject({ version_before: 5, version_after: 6 });
    const messages = (await t.http.get(`${base(id)}/messages`, { token })).body;
    expect(messages.find((m: any) => m.id === turn2.body.id)).toMatchObject({
      version_before: 2,
      version_after: 5,
    });

    const undo = await t.http.post(`${base(id)}/versions/${turn2.body.version_before}/restore`, {
      token,
    });
    expect(undo.status).toBe(200);
    expect(await contents(t.http, token, id)).toEqual({
      'index.html': '<h1>v1</h1>',
      'old.js': 'old()',
    });

    // "Restore to right after this tool call": the step that added style.css.
    const afterStyle = await t.http.post(`${base(id)}/versions/4/restore`, { token });
    expect(afterStyle.status).toBe(200);
    expect(await contents(t.http, token, id)).toEqual({
      'index.html': '<h1>v2</h1>',
      'old.js': 'old()',
      'style.css': 'h1{}',
    });
  });

  it('as a new user would: three turns build a site, a fourth breaks it, restore, export, import, same site', async () => {
    const id = await createSession(t.http, user.token);
    const token = user.token;
    const write = (filename: string, content: string) => ({
      name: 'write_file',
      args: { filename, content },
    });
    const turnWith = async (
      calls: { name: string; args: Record<string, unknown> }[],
      ask: string,
    ) => {
      script([streamed(callTools(calls)), streamed(say('Done.'))]);
      const res = await postMessage(t.http, token, id, ask);
      expect(res.body.status).toBe('completed');
      return res.body;
    };
    await turnWith(
      [write('index.html', '<link rel="stylesheet" href="style.css"><h1>Cafe</h1>')],
      'a cafe page',
    );
    await turnWith([write('style.css', 'h1 { color: brown }')], 'style it');
    await turnWith([write('js/menu.js', 'console.log("menu")')], 'add a menu');
    const good = await contents(t.http, token, id);
    const broken = await turnWith(
      [write('index.html', 'oops'), { name: 'delete_file', args: { filename: 'style.css' } }],
      'make it pop',
    );
    expect(await contents(t.http, token, id)).toEqual({
      'index.html': 'oops',
      'js/menu.js': 'console.log("menu")',
    });

    expect(
      (await t.http.post(`${base(id)}/versions/${broken.version_before}/restore`, { token }))
        .status,
    ).toBe(200);
    expect(await contents(t.http, token, id)).toEqual(good);

    const zip = await fetch(`${t.baseUrl}${base(id)}/sandbox/archive`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const copy = await createSession(t.http, token, 'Copy');
    const imported = await fetch(`${t.baseUrl}${base(copy)}/sandbox/archive`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/zip' },
      body: Buffer.from(await zip.arrayBuffer()),
    });
    expect(imported.status).toBe(200);
    expect(await contents(t.http, token, copy)).toEqual(good);
    const preview = async (s: string) => {
      const res = await t.http.get(`${base(s)}/sandbox/preview`, { token });
      expect(res.status).toBe(200);
      // The injected <base href> names each session's own preview token, and the injected error
      // reporter each session's own version number; the page itself must match.
      return res.text
        .replace(/<base [^>]*>/g, '')
        .replace(/<script>\(function\(\)\{[\s\S]*?\}\)\(\);<\/script>/, '')
        .replace(/\/api\/sessions\/[0-9a-f]{32}\/[^"']*/g, '');
    };
    const page = await preview(id);
    expect(page).toContain('<h1>Cafe</h1>');
    expect(await preview(copy)).toBe(page);
    for (const f of ['style.css', 'js/menu.js']) {
      const a = await t.http.get(`${base(id)}/sandbox/static/${f}`, { token });
      const b = await t.http.get(`${base(copy)}/sandbox/static/${f}`, { token });
      expect([f, b.status, b.text]).toEqual([f, 200, a.text]);
    }
  });

  it('refuses a restore while a turn runs (409) and changes nothing', async () => {
    const id = await createSession(t.http, user.token);
    const token = user.token;
    await writeFile(t.http, token, id, 'index.html', 'before');
    script([{ kind: 'hang' }]);
    const running = t.http.post(`${base(id)}/messages`, {
      token,
      body: { content: 'go', stream: true },
    });
    await eventually(async () => {
      const list = (await t.http.get(`${base(id)}/messages`, { token })).body as any[];
      return list.some((m) => m.status === 'running') ? true : undefined;
    });
    const res = await t.http.post(`${base(id)}/versions/0/restore`, { token });
    expect(res.status).toBe(409);
    expect(res.body.detail).toMatch(/turn is running/);
    expect(await contents(t.http, token, id)).toEqual({ 'index.html': 'before' });
    expect((await t.http.post(`${base(id)}/messages/latest/cancel`, { token })).status).toBe(200);
    await running;
    await eventually(async () => {
      const r = await t.http.post(`${base(id)}/versions/0/restore`, { token });
      return r.status === 200 ? r : undefined;
    });
  });

  it('leaves the sandbox exactly equal to the restored version when writes race the restore', async () => {
    const id = await createSession(t.http, user.token);
    const token = user.token;
    await writeFile(t.http, token, id, 'keep.txt', 'v1');
    for (let round = 0; round < 3; round++) {
      const writes = Array.from({ length: 8 }, (_, i) =>
        t.http.post(`${base(id)}/sandbox/files/race-${round}-${i}.txt`, {
          token,
          body: { content: `w${i}` },
        }),
      );
      const restore = t.http.post(`${base(id)}/versions/1/restore`, { token });
      const [r, ...w] = await Promise.all([restore, ...writes]);
      expect(r.status).toBe(200);
      expect(w.every((x) => x.status === 200)).toBe(true);
      // Writes that landed after the restore follow it; the restored version itself is exactly version 1.
      const restored = await listing(t.http, token, id, r.body.version);
      expect(restored.files).toEqual([{ name: 'keep.txt', size: 2 }]);
      const now = await listing(t.http, token, id);
      const sizes = now.files.reduce((n, f) => n + f.size, 0);
      expect(now.total_size).toBe(sizes);
      const head = (await t.http.get(`${base(id)}/versions?limit=1`, { token })).body[0].version;
      expect(await listing(t.http, token, id, head)).toEqual(now);
    }
  });
});

describe('versions under a small history budget', () => {
  let t: TestApp;
  let user: TestUser;

  beforeAll(async () => {
    t = await startTestApp({ SANDBOX_HISTORY_MAX_BYTES: '3000' });
    user = await registerUser(t.http);
  });
  afterAll(async () => {
    await t.close();
  });

  it('prunes the oldest versions past SANDBOX_HISTORY_MAX_BYTES; a pruned version answers 410', async () => {
    const id = await createSession(t.http, user.token);
    const token = user.token;
    await writeFile(t.http, token, id, 'stays.txt', 'kept since version 1');
    for (let i = 0; i < 6; i++) {
      await writeFile(t.http, token, id, 'big.txt', String(i).repeat(1000));
    }
    const kept = (await t.http.get(`${base(id)}/versions`, { token })).body.map(
      (v: any) => v.version,
    );
    expect(kept[0]).toBe(7);
    expect(kept.length).toBeLessThan(8);
    const oldest = kept[kept.length - 1];
    for (const path of [
      `versions/${oldest - 1}`,
      `versions/${oldest - 1}/files`,
      `diff?from=0&to=7`,
    ]) {
      const res = await t.http.get(`${base(id)}/${path}`, { token });
      expect([path, res.status]).toEqual([path, 410]);
      expect(res.body.detail).toMatch(/pruned/);
    }
    expect((await t.http.post(`${base(id)}/versions/0/restore`, { token })).status).toBe(410);
    // What is kept is whole: the oldest kept version still has every file, with its content.
    expect((await listing(t.http, token, id, oldest)).files.map((f) => f.name)).toEqual([
      'big.txt',
      'stays.txt',
    ]);
    const stays = await t.http.get(`${base(id)}/versions/${oldest}/files/stays.txt`, { token });
    expect(stays.body.content).toBe('kept since version 1');
    const restore = await t.http.post(`${base(id)}/versions/${oldest}/restore`, { token });
    expect(restore.status).toBe(200);
  });
});

describe('sessions that existed before versions', () => {
  it('get their files as version 0 from the migration, and can be restored to it', async () => {
    const db = await createTestDatabase();
    try {
      let t = await startTestApp({}, db);
      const user = await registerUser(t.http);
      const id = await createSession(t.http, user.token);
      await writeFile(t.http, user.token, id, 'index.html', 'from before');
      await writeFile(t.http, user.token, id, 'css/a.css', 'a{}');
      await t.close();
      // Back to the schema before versions, as a deployment upgrading from it has: revert the
      // migrations that came after it, then it.
      const after = MIGRATIONS.length - MIGRATIONS.indexOf(Versions1764400000000);
      for (let i = 0; i < after; i++) {
        expect(await runCli('migrate', ['revert'], { DATABASE_URL: db.url })).toMatchObject({
          code: 0,
        });
      }
      t = await startTestApp({}, db);
      try {
        const versions = (await t.http.get(`${base(id)}/versions`, { token: user.token })).body;
        expect(versions.map((v: any) => [v.version, v.changes.length])).toEqual([[0, 2]]);
        await writeFile(t.http, user.token, id, 'index.html', 'after');
        const restore = await t.http.post(`${base(id)}/versions/0/restore`, { token: user.token });
        expect(restore.body).toEqual({ version: 2, restored_from: 0 });
        expect(await contents(t.http, user.token, id)).toEqual({
          'css/a.css': 'a{}',
          'index.html': 'from before',
        });
      } finally {
        await t.close();
      }
    } finally {
      await db.drop();
    }
  });
});
