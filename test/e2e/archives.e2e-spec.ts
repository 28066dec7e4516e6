import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import yauzl from 'yauzl';
import yazl from 'yazl';
import { createSession, registerUser, writeFile, type TestUser } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const base = (id: string) => `/api/sessions/${id}`;

/** A zip made by a real zip library, optionally compressed. */
function makeZip(entries: [string, Buffer | string][], compress = true): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const [name, content] of entries) {
    if (name.endsWith('/')) {
      zip.addEmptyDirectory(name);
    } else {
      zip.addBuffer(Buffer.isBuffer(content) ? content : Buffer.from(content), name, { compress });
    }
  }
  zip.end();
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on('error', reject);
  });
}

/** Renames an entry in place (zip libraries refuse to write hostile names; attackers do not use them). */
function renameEntry(zip: Buffer, from: string, to: string): Buffer {
  expect(Buffer.byteLength(from)).toBe(Buffer.byteLength(to));
  const out = Buffer.from(zip);
  let at = out.indexOf(from);
  expect(at).toBeGreaterThan(-1);
  while (at !== -1) {
    out.write(to, at);
    at = out.indexOf(from, at + 1);
  }
  return out;
}

/** Makes every central-directory entry declare `size` uncompressed bytes (a zip bomb's lie). */
function lieAboutSizes(zip: Buffer, size: number): Buffer {
  const out = Buffer.from(zip);
  for (let at = out.indexOf('PK\x01\x02'); at !== -1; at = out.indexOf('PK\x01\x02', at + 4)) {
    out.writeUInt32LE(size, at + 24);
  }
  return out;
}

function unzip(body: Buffer): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(body, { lazyEntries: true }, (err, zip) => {
      if (err) {
        return reject(err);
      }
      const out: Record<string, string> = {};
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (e, stream) => {
          if (e) {
            return reject(e);
          }
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            out[entry.fileName] = Buffer.concat(chunks).toString('utf8');
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolve(out));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

describe('archives', () => {
  let t: TestApp;
  let user: TestUser;

  beforeAll(async () => {
    t = await startTestApp({
      SANDBOX_MAX_FILE_BYTES: '2000',
      SANDBOX_MAX_SESSION_BYTES: '5000',
      SANDBOX_MAX_FILES: '20',
      LIMIT_STORAGE_BYTES_FREE: '8000',
    });
    user = await registerUser(t.http);
  });
  afterAll(() => t.close());

  async function upload(id: string, body: Buffer, query = '', token = user.token) {
    const res = await fetch(`${t.baseUrl}${base(id)}/sandbox/archive${query}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/zip' },
      body,
    });
    return { status: res.status, body: (await res.json()) as any };
  }

  async function download(id: string, query = '') {
    const res = await fetch(`${t.baseUrl}${base(id)}/sandbox/archive${query}`, {
      headers: { authorization: `Bearer ${user.token}` },
    });
    return { res, body: Buffer.from(await res.arrayBuffer()) };
  }

  async function files(id: string) {
    return (await t.http.get(`${base(id)}/sandbox/files`, { token: user.token })).body;
  }

  async function headVersion(id: string) {
    return (await t.http.get(`${base(id)}/versions?limit=1`, { token: user.token })).body[0]
      .version;
  }

  it('exports the current files, or any version, as a zip attachment', async () => {
    const id = await createSession(t.http, user.token);
    await writeFile(t.http, user.token, id, 'index.html', '<h1>One</h1>');
    await writeFile(t.http, user.token, id, 'css/site.css', 'h1{}');
    await writeFile(t.http, user.token, id, 'index.html', '<h1>Two</h1>');

    const now = await download(id);
    expect(now.res.status).toBe(200);
    expect(now.res.headers.get('content-type')).toMatch(/^application\/zip/);
    expect(now.res.headers.get('content-disposition')).toMatch(/^attachment; filename=".+\.zip"$/);
    expect(await unzip(now.body)).toEqual({ 'index.html': '<h1>Two</h1>', 'css/site.css': 'h1{}' });

    const v1 = await download(id, '?version=1');
    expect(await unzip(v1.body)).toEqual({ 'index.html': '<h1>One</h1>' });
    expect((await download(id, '?version=9')).res.status).toBe(404);
    expect((await download(id, '?version=x')).res.status).toBe(422);
  });

  it('imports a zip as one version, folders implied; ?replace=true removes the files it lacks', async () => {
    const id = await createSession(t.http, user.token);
    await writeFile(t.http, user.token, id, 'old.txt', 'old');
    const zip = await makeZip([
      ['index.html', '<h1>Imported</h1>'],
      ['css/', ''],
      ['css/site.css', 'body{}'],
      ['js/app.js', 'run()'],
    ]);
    const res = await upload(id, zip);
    expect(res).toEqual({ status: 200, body: { version: 2, files: 3 } });
    expect((await files(id)).files.map((f: any) => f.name)).toEqual([
      'css/site.css',
      'index.html',
      'js/app.js',
      'old.txt',
    ]);
    const v = (await t.http.get(`${base(id)}/versions/2`, { token: user.token })).body;
    expect(v.source).toBe('import');
    expect(v.changes).toHaveLength(3);

    const replaced = await upload(id, await makeZip([['index.html', 'only']]), '?replace=true');
    expect(replaced).toEqual({ status: 200, body: { version: 3, files: 1 } });
    expect(await files(id)).toEqual({ files: [{ name: 'index.html', size: 4 }], total_size: 4 });
  });

  it('round-trips: a downloaded archive imported into a new session gives the same files', async () => {
    const id = await createSession(t.http, user.token);
    await writeFile(t.http, user.token, id, 'index.html', '<link href="style.css"><h1>Site</h1>');
    await writeFile(t.http, user.token, id, 'style.css', 'h1 { color: red }');
    const zip = (await download(id)).body;
    const copy = await createSession(t.http, user.token);
    expect((await upload(copy, zip)).status).toBe(200);
    expect(await files(copy)).toEqual(await files(id));
    const preview = async (s: string) =>
      (await t.http.get(`${base(s)}/sandbox/files/index.html`, { token: user.token })).body.content;
    expect(await preview(copy)).toBe(await preview(id));
  });

  describe('hostile archives are refused with nothing written', () => {
    let id: string;
    beforeAll(async () => {
      id = await createSession(t.http, user.token);
      await writeFile(t.http, user.token, id, 'index.html', 'safe');
    });

    const unchanged = async () => {
      expect(await files(id)).toEqual({ files: [{ name: 'index.html', size: 4 }], total_size: 4 });
      expect(await headVersion(id)).toBe(1);
    };

    it.each([
      ['a zip-slip name', 'aa/evil.txt', '../evil.txt'],
      ['a deeper zip-slip name', 'a/aa/b.txt', 'a/../../bx'],
      ['an absolute name', 'xetc/passwd', '/etc/passwd'],
      ['a backslash name', 'aa/win.txt', '..\\win.txt'],
    ])('refuses %s (400)', async (_l, safe, hostile) => {
      const zip = renameEntry(
        await makeZip([
          ['ok.txt', 'fine'],
          [safe, 'pwned'],
        ]),
        safe,
        hostile,
      );
      const res = await upload(id, zip);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ detail: expect.any(String) });
      await unchanged();
    });

    it('refuses a body that is not a zip (400) and a zip sent as another type (400)', async () => {
      expect((await upload(id, Buffer.from('not a zip at all'))).status).toBe(400);
      const res = await fetch(`${t.baseUrl}${base(id)}/sandbox/archive`, {
        method: 'POST',
        headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' },
        body: '{}',
      });
      expect(res.status).toBe(400);
      await unchanged();
    });

    it('refuses an entry over the per-file limit (413)', async () => {
      const res = await upload(
        id,
        await makeZip([
          ['ok.txt', 'fine'],
          ['big.txt', 'x'.repeat(2001)],
        ]),
      );
      expect(res.status).toBe(413);
      expect(res.body.detail).toMatch(/2000 bytes per file/);
      await unchanged();
    });

    it('refuses an archive over the session quota (413)', async () => {
      const entries: [string, string][] = [1, 2, 3].map((n) => [`f${n}.txt`, 'y'.repeat(1800)]);
      const res = await upload(id, await makeZip(entries));
      expect(res.status).toBe(413);
      await unchanged();
    });

    it('refuses an archive that would take the user past their storage cap (413)', async () => {
      const other = await createSession(t.http, user.token);
      for (const n of [1, 2]) {
        await writeFile(t.http, user.token, other, `fill${n}.txt`, 'z'.repeat(1900));
      }
      const third = await createSession(t.http, user.token);
      for (const n of [1, 2]) {
        await writeFile(t.http, user.token, third, `fill${n}.txt`, 'z'.repeat(1900));
      }
      // The user now holds 7604 bytes of 8000; 2 × 1000 more fits the session but not the user.
      const res = await upload(
        id,
        await makeZip([
          ['a.txt', 'a'.repeat(1000)],
          ['b.txt', 'b'.repeat(1000)],
        ]),
      );
      expect(res.status).toBe(413);
      expect(res.body.detail).toEqual(expect.any(String));
      await unchanged();
      await t.http.delete(`${base(other)}`, { token: user.token });
      await t.http.delete(`${base(third)}`, { token: user.token });
    });

    it('refuses more entries than a sandbox may hold (413)', async () => {
      const entries: [string, string][] = Array.from({ length: 25 }, (_, i) => [`n${i}.txt`, 'n']);
      expect((await upload(id, await makeZip(entries))).status).toBe(413);
      await unchanged();
    });

    it('refuses a zip bomb that declares its real size (413 before inflating)', async () => {
      const bomb = await makeZip([['bomb.txt', Buffer.alloc(5_000_000)]]);
      expect(bomb.length).toBeLessThan(20_000);
      const res = await upload(id, bomb);
      expect(res.status).toBe(413);
      await unchanged();
    });

    it('refuses a zip bomb that lies about its size (413 once inflation passes the declared size)', async () => {
      const bomb = lieAboutSizes(await makeZip([['bomb.txt', Buffer.alloc(5_000_000)]]), 100);
      const res = await upload(id, bomb);
      expect(res.status).toBe(413);
      expect(res.body.detail).toMatch(/zip bomb/);
      await unchanged();
    });

    it('refuses a body over 50 MiB (413)', async () => {
      const res = await upload(id, Buffer.alloc(50 * 1024 * 1024 + 1));
      expect(res.status).toBe(413);
      await unchanged();
    });
  });
});
