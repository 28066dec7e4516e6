// @ts-check
/**
 * The floor: a bare `node:http` + `pg` server that answers the benchmarked routes with the SAME SQL the
 * service issues for them (copied from what the service sends to PostgreSQL: TypeORM's user and session
 * lookups, then SandboxService's queries), on the same database, with the same pool size (20, as in
 * src/database/data-source-options.ts). It verifies the HS256 access token with node:crypto, runs the
 * queries, writes JSON. No framework, no validation library, no logging, no rate limiting.
 *
 * It is a measuring stick for `npm run bench`, not product code: only the happy path and the errors a
 * benchmark could hit are handled.
 *
 * Agent turns (`POST …/messages`, JSON or SSE) are in ./agent.mjs.
 *
 * Env: DATABASE_URL, PORT, JWT_SECRET, OPENAI_BASE_URL, SANDBOX_MAX_FILE_BYTES, SANDBOX_MAX_SESSION_BYTES,
 * POOL_MAX.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import pg from 'pg';
import { runTurn } from './agent.mjs';
import { inTransaction } from './transaction.mjs';

const env = process.env;
const SECRET = env.JWT_SECRET ?? '';
if (SECRET.length < 32) throw new Error('floor: JWT_SECRET must be set (≥ 32 chars)');
const MAX_FILE = Number(env.SANDBOX_MAX_FILE_BYTES ?? 1024 * 1024);
const MAX_SESSION = Number(env.SANDBOX_MAX_SESSION_BYTES ?? 100 * 1024 * 1024);
const BODY_LIMIT = 8 * 1024 * 1024;

const pool = new pg.Pool({
  connectionString: env.DATABASE_URL,
  max: Number(env.POOL_MAX ?? 20),
  application_name: 'aeio-bench-floor',
});
pool.on('error', (err) => console.error(`floor pool: ${err.message}`));

// ---- SQL, verbatim as the service sends it --------------------------------------------------------

// UsersService.findActive → TypeORM findOne({ where: { id } }) (the JWT strategy, every request).
const SQL_USER =
  'SELECT "User"."id" AS "User_id", "User"."username" AS "User_username", "User"."email" AS "User_email", "User"."tier" AS "User_tier", "User"."role" AS "User_role", "User"."disabled" AS "User_disabled", "User"."created_at" AS "User_created_at" FROM "users" "User" WHERE (("User"."id" = $1)) LIMIT 1';
// SessionsService.list
// (the first page: no cursor; one row more than the page says whether there is a next one)
const SQL_SESSIONS = `SELECT id, title, model, created_at, updated_at,
                to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at
           FROM sessions
          WHERE user_id = $1
            AND ($2::timestamptz IS NULL
                 OR (updated_at <= $2::timestamptz AND (updated_at < $2::timestamptz OR id > $3)))
          ORDER BY updated_at DESC, id
          LIMIT $4`;
const PAGE = 100;
// SessionsService.getOwned (SessionOwnerGuard, on every /sessions/:id/… route)
const SQL_SESSION =
  'SELECT "Session"."id" AS "Session_id", "Session"."user_id" AS "Session_user_id", "Session"."title" AS "Session_title", "Session"."created_at" AS "Session_created_at", "Session"."updated_at" AS "Session_updated_at" FROM "sessions" "Session" WHERE (("Session"."id" = $1)) LIMIT 1';
// SandboxService.list
const SQL_LIST_FILES = `SELECT f.path, f.size FROM sandbox_files f JOIN sessions s ON s.id = f.session_id
        WHERE f.session_id = $1 AND s.user_id = $2 ORDER BY f.path COLLATE "C"`;
// SandboxService.find
const SQL_FIND_FILE = `SELECT f.content, f.content_type, f.size FROM sandbox_files f JOIN sessions s ON s.id = f.session_id
        WHERE f.session_id = $1 AND f.path = $2 AND s.user_id = $3`;
// SandboxService.write, one transaction
const SQL_LOCK = `SELECT sandbox_bytes FROM sessions WHERE id = $1 AND user_id = $2 FOR UPDATE`;
const SQL_OLD_SIZE = `SELECT size FROM sandbox_files WHERE session_id = $1 AND path = $2`;
const SQL_UPSERT = `INSERT INTO sandbox_files (session_id, path, content, size, content_type)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (session_id, path)
         DO UPDATE SET content = EXCLUDED.content, size = EXCLUDED.size,
                       content_type = EXCLUDED.content_type, updated_at = now()`;
const SQL_ADJUST = `UPDATE sessions SET sandbox_bytes = sandbox_bytes + $2, updated_at = now() WHERE id = $1`;

// ---- HTTP helpers ---------------------------------------------------------------------------------

class HttpError extends Error {
  /** @param {number} status @param {string} detail */
  constructor(status, detail) {
    super(detail);
    this.status = status;
  }
}

/** @param {import('node:http').ServerResponse} res @param {number} status @param {unknown} body */
function sendJson(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** @param {import('node:http').IncomingMessage} req @returns {Promise<unknown>} */
async function readJson(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > BODY_LIMIT) throw new HttpError(413, 'Request body too large');
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'Malformed JSON');
  }
}

// ---- auth: HS256 JWT with node:crypto --------------------------------------------------------------

/** @param {string} s */
const b64json = (s) => JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));

/**
 * Verifies `Authorization: Bearer <jwt>`: HS256 only, signature, exp, typ=access; returns the user id.
 * @param {import('node:http').IncomingMessage} req
 */
function verifyAccessToken(req) {
  const auth = req.headers.authorization;
  if (!auth || !auth.startsWith('Bearer ')) throw new HttpError(401, 'Not authenticated');
  const token = auth.slice(7);
  const parts = token.split('.');
  if (parts.length !== 3) throw new HttpError(401, 'Could not validate credentials');
  let header, claims;
  try {
    header = b64json(parts[0]);
    claims = b64json(parts[1]);
  } catch {
    throw new HttpError(401, 'Could not validate credentials');
  }
  if (header.alg !== 'HS256') throw new HttpError(401, 'Could not validate credentials');
  const expected = createHmac('sha256', SECRET).update(`${parts[0]}.${parts[1]}`).digest();
  const given = Buffer.from(parts[2], 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new HttpError(401, 'Could not validate credentials');
  }
  if (typeof claims.exp !== 'number' || claims.exp <= Date.now() / 1000) {
    throw new HttpError(401, 'Could not validate credentials');
  }
  if (claims.typ !== 'access' || typeof claims.sub !== 'string' || !/^\d+$/.test(claims.sub)) {
    throw new HttpError(401, 'Could not validate credentials');
  }
  return Number(claims.sub);
}

/** The service keeps users 10 s and session owners 60 s in memory; the floor does the same. */
const users = new Map();
const owners = new Map();

/** The JWT strategy's user load: gone or disabled → 401. @param {number} id */
async function loadUser(id) {
  let u = users.get(id);
  if (!u || u.expires < Date.now()) {
    const { rows } = await pool.query(SQL_USER, [id]);
    u = { row: rows[0], expires: Date.now() + 10_000 };
    users.set(id, u);
  }
  if (!u.row || u.row.User_disabled) throw new HttpError(401, 'Could not validate credentials');
  return { id: u.row.User_id, tier: u.row.User_tier };
}

const SESSION_ID = /^[0-9a-f]{32}$/;

/** SessionOwnerGuard: unknown → 404, someone else's → 403. @param {number} userId @param {string} sid */
async function ownedSession(userId, sid) {
  const owner = owners.get(sid);
  if (owner && owner.userId === userId && owner.expires > Date.now()) return sid;
  const { rows } = SESSION_ID.test(sid) ? await pool.query(SQL_SESSION, [sid]) : { rows: [] };
  if (rows.length > 0) owners.set(sid, { userId: rows[0].Session_user_id, expires: Date.now() + 60_000 });
  if (rows.length === 0) throw new HttpError(404, 'Session not found');
  if (rows[0].Session_user_id !== userId) throw new HttpError(403, 'Not allowed to access this session');
  return rows[0].Session_id;
}

const SEGMENT = /^[A-Za-z0-9._ -]+$/;

/** The service's filename rules (src/sandbox/sandbox-path.ts), condensed. @param {string} path */
function checkPath(path) {
  const ok =
    path.length > 0 &&
    path.length <= 255 &&
    !path.startsWith('/') &&
    !path.includes('\\') &&
    path.split('/').every((s) => s !== '' && s !== '.' && s !== '..' && SEGMENT.test(s) && s === s.trim());
  if (!ok) throw new HttpError(400, 'Invalid filename');
  return path;
}

/** Content types by extension for the benchmarked files (the service uses mime-types). @param {string} path */
function contentTypeFor(path) {
  const ext = path.slice(path.lastIndexOf('.') + 1).toLowerCase();
  const types = /** @type {Record<string, string>} */ ({
    html: 'text/html; charset=utf-8',
    css: 'text/css; charset=utf-8',
    js: 'text/javascript; charset=utf-8',
    json: 'application/json; charset=utf-8',
    txt: 'text/plain; charset=utf-8',
    svg: 'image/svg+xml; charset=utf-8',
  });
  return types[ext] ?? 'application/octet-stream';
}

const PREVIEW_CSP =
  'sandbox allow-scripts allow-forms allow-popups allow-modals allow-downloads allow-pointer-lock';

// ---- routes ---------------------------------------------------------------------------------------

/** @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res */
async function handle(req, res) {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  if (path === '/health') {
    sendJson(res, 200, { status: 'ok' });
    return;
  }
  if (path === '/api/sessions' && req.method === 'GET') {
    const userId = (await loadUser(verifyAccessToken(req))).id;
    const { rows: all } = await pool.query(SQL_SESSIONS, [userId, null, null, PAGE + 1]);
    const rows = all.slice(0, PAGE);
    if (all.length > PAGE) {
      // Like the service: a Link to the next page, keyed by the last row's instant and id.
      const last = rows[rows.length - 1];
      const cursor = Buffer.from(JSON.stringify([last.at, last.id])).toString('base64url');
      res.setHeader('Link', `</api/sessions?before=${cursor}>; rel="next"`);
    }
    sendJson(
      res,
      200,
      rows.map((r) => ({
        id: r.id,
        title: r.title,
        model: r.model,
        created_at: r.created_at.toISOString(),
        updated_at: r.updated_at.toISOString(),
      })),
    );
    return;
  }
  const parts = path.split('/');
  // /api/sessions/:id/messages
  if (parts.length === 5 && parts[1] === 'api' && parts[2] === 'sessions' && parts[4] === 'messages' && req.method === 'POST') {
    const userId = (await loadUser(verifyAccessToken(req))).id;
    const sid = await ownedSession(userId, decodeURIComponent(parts[3]));
    const body = /** @type {{ content?: unknown, stream?: unknown } | null} */ (await readJson(req));
    if (!body || typeof body.content !== 'string') throw new HttpError(422, 'content must be a string');
    const deps = { pool, modelUrl: env.OPENAI_BASE_URL ?? '', writeFile: write };
    if (body.stream === true) {
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
      });
      const send = (/** @type {string} */ event, /** @type {unknown} */ data) => {
        if (!res.destroyed) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      };
      try {
        await runTurn(deps, { userId, sessionId: sid, content: body.content, send });
      } catch (err) {
        console.error(err);
        send('error', { detail: 'Failed' });
      }
      res.end();
    } else {
      sendJson(res, 200, await runTurn(deps, { userId, sessionId: sid, content: body.content }));
    }
    return;
  }
  // /api/sessions/:id/sandbox/(files|static)[/name…]
  if (parts.length >= 6 && parts[1] === 'api' && parts[2] === 'sessions' && parts[4] === 'sandbox') {
    const kind = parts[5];
    let name;
    try {
      name = parts.slice(6).map(decodeURIComponent).join('/');
    } catch {
      throw new HttpError(400, 'Invalid filename');
    }
    const userId = (await loadUser(verifyAccessToken(req))).id;
    const sid = await ownedSession(userId, decodeURIComponent(parts[3]));
    if (kind === 'files' && name === '' && req.method === 'GET') {
      const { rows } = await pool.query(SQL_LIST_FILES, [sid, userId]);
      let total = 0;
      const files = rows.map((r) => {
        total += r.size;
        return { name: r.path, size: r.size };
      });
      sendJson(res, 200, { files, total_size: total });
      return;
    }
    if ((kind === 'files' || kind === 'static') && name !== '' && req.method === 'GET') {
      checkPath(name);
      const { rows } = await pool.query(SQL_FIND_FILE, [sid, name, userId]);
      if (rows.length === 0) throw new HttpError(404, `File not found: ${name}`);
      const file = rows[0];
      if (kind === 'files') {
        sendJson(res, 200, { filename: name, content: file.content.toString('utf8'), size: file.size });
      } else {
        res.writeHead(200, {
          'cache-control': 'no-store',
          'referrer-policy': 'no-referrer',
          'content-security-policy': PREVIEW_CSP,
          'x-content-type-options': 'nosniff',
          'content-type': file.content_type,
          'content-length': file.content.length,
        });
        res.end(file.content);
      }
      return;
    }
    if (kind === 'files' && name !== '' && req.method === 'POST') {
      checkPath(name);
      const body = /** @type {{ content?: unknown } | null} */ (await readJson(req));
      if (!body || typeof body.content !== 'string') throw new HttpError(422, 'content must be a string');
      const bytes = Buffer.from(body.content, 'utf8');
      if (bytes.length > MAX_FILE) throw new HttpError(413, 'File too large');
      await write(sid, userId, name, bytes);
      sendJson(res, 200, { filename: name, size: bytes.length, message: 'File saved successfully' });
      return;
    }
  }
  throw new HttpError(404, 'Not found');
}

/** SandboxService.write: the same transaction, lock first. */
async function write(
  /** @type {string} */ sid,
  /** @type {number} */ userId,
  /** @type {string} */ name,
  /** @type {Buffer} */ bytes,
) {
  await inTransaction(pool, async (client) => {
    const locked = await client.query(SQL_LOCK, [sid, userId]);
    if (locked.rows.length === 0) throw new HttpError(404, 'Session not found');
    const sessionBytes = Number(locked.rows[0].sandbox_bytes);
    const old = await client.query(SQL_OLD_SIZE, [sid, name]);
    const oldSize = old.rows[0]?.size ?? 0;
    const after = sessionBytes - oldSize + bytes.length;
    if (bytes.length > oldSize && after > MAX_SESSION) throw new HttpError(413, 'Sandbox full');
    await client.query(SQL_UPSERT, [sid, name, bytes, bytes.length, contentTypeFor(name)]);
    await client.query(SQL_ADJUST, [sid, bytes.length - oldSize]);
  });
}

const server = createServer((req, res) => {
  handle(req, res).catch((err) => {
    if (err instanceof HttpError) {
      sendJson(res, err.status, { detail: err.message });
    } else {
      console.error(err);
      sendJson(res, 500, { detail: 'Internal server error' });
    }
  });
});
// Node's default keep-alive behaviour.
server.listen(Number(env.PORT ?? 3100), '127.0.0.1', () => {
  console.log(`floor listening on ${env.PORT}`);
});
const stop = () => {
  server.close();
  server.closeAllConnections();
  void pool.end().finally(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
