// @ts-check
/**
 * `npm run bench` (after `npm run build`): the whole benchmark in one command. See BENCHMARKS.md.
 *
 * Processes (all on 127.0.0.1, all killed when this one exits, however it exits):
 *   this orchestrator ── embedded PostgreSQL (one cluster, database aeio_bench)
 *                     ├─ bench/fake-llm.mjs          scripted OpenAI-compatible server
 *                     ├─ dist/main.js                the service (+ bench/preload/eventloop.mjs)
 *                     ├─ bench/floor/server.mjs      the floor: node:http + pg, same SQL (+ the preload)
 *                     └─ bench/load.mjs              the load generator, one process per measurement
 *
 * Knobs (env): BENCH_DURATION (s, measured part of each HTTP run, default 10), BENCH_WARMUP (s, 3),
 * BENCH_CONNECTIONS (10), BENCH_GROWTH_DURATION (5), BENCH_GROWTH_WARMUP (2), BENCH_REPEATS (5, agent and
 * relay runs), BENCH_SLOW_RUNS (500), BENCH_SLOW_CHUNKS (300), BENCH_ONLY (e.g. "1,2,5"), BENCH_QUICK=1
 * (short everything, for trying the harness), BENCH_PG_FSYNC=on, BENCH_CPU_PROF=1 (the service writes a
 * .cpuprofile into bench/results/profiles/ when it stops), BENCH_TIMEOUT (s, 1200), BENCH_WIDE_CONNECTIONS (50, scenario 9: scenarios 1–3 again at this many connections with the
 * service at its default LOG_LEVEL=info).
 */
import { execSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { cpus, platform, release, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import pg from 'pg';
import { startPostgres } from './lib/postgres.mjs';
import { cpuMs, freePort, killAllChildrenSync, rssBytes, runNode, sleep, spawnNode, waitForHttp } from './lib/procs.mjs';
import { fmt, median, percentile, table } from './lib/stats.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BENCH = join(ROOT, 'bench');
const RESULTS = join(BENCH, 'results');
const MAIN = join(ROOT, 'dist', 'main.js');
const PRELOAD = pathToFileURL(join(BENCH, 'preload', 'eventloop.mjs')).href;
const LOAD = join(BENCH, 'load.mjs');

const env = process.env;
const QUICK = env.BENCH_QUICK === '1';
const num = (/** @type {string} */ key, /** @type {number} */ fallback, /** @type {number} */ quick) =>
  env[key] ? Number(env[key]) : QUICK ? quick : fallback;
const CFG = {
  durationSec: num('BENCH_DURATION', 10, 2),
  warmupSec: num('BENCH_WARMUP', 3, 1),
  connections: num('BENCH_CONNECTIONS', 10, 10),
  growthDurationSec: num('BENCH_GROWTH_DURATION', 5, 2),
  growthWarmupSec: num('BENCH_GROWTH_WARMUP', 2, 1),
  slowRuns: num('BENCH_SLOW_RUNS', 500, 100),
  slowChunks: num('BENCH_SLOW_CHUNKS', 300, 60),
  slowDelayMs: 50,
  relayChunks: 200,
  relayDelayMs: 5,
  agentToolCalls: 50,
  repeats: num('BENCH_REPEATS', 5, 3),
  logins: 20,
  fileBytes: 10 * 1024,
  pgFsync: env.BENCH_PG_FSYNC === 'on',
  cpuProf: env.BENCH_CPU_PROF === '1',
  only: env.BENCH_ONLY ? new Set(env.BENCH_ONLY.split(',').map((s) => s.trim())) : null,
  timeoutSec: num('BENCH_TIMEOUT', 1200, 600),
  /** Connections of the wide variant of scenarios 1–3 (scenario 9), measured at the default LOG_LEVEL. */
  wideConnections: num('BENCH_WIDE_CONNECTIONS', 50, 50),
};
const JWT_SECRET = 'bench-secret-that-is-long-enough-for-hs256-0123456789abcdef';
const PASSWORD = 'bench-password-1';
const runs = (/** @type {string} */ n) => !CFG.only || CFG.only.has(n);

// ---- cleanup: every child dies with us ------------------------------------------------------------

/** @type {import('./lib/postgres.mjs').BenchDatabase | undefined} */
let database;
/** @type {{ fakePort: number, fakeUrl: string, dataDir: string }} */
const ctx = { fakePort: 0, fakeUrl: '', dataDir: '' };
process.on('exit', () => {
  killAllChildrenSync();
  database?.killSync();
  if (ctx.dataDir) rmSync(ctx.dataDir, { recursive: true, force: true });
});
for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM', 'SIGHUP'])) {
  process.on(signal, () => {
    console.error(`\n${signal}: stopping the benchmark`);
    process.exit(130);
  });
}
const watchdog = setTimeout(() => {
  console.error(`the benchmark took longer than ${CFG.timeoutSec} s: giving up`);
  process.exit(1);
}, CFG.timeoutSec * 1000);
watchdog.unref();

const log = (/** @type {string} */ msg) => console.error(`[bench ${((Date.now() - T0) / 1000).toFixed(1).padStart(5)} s] ${msg}`);
const T0 = Date.now();

// ---- small HTTP client for seeding and checks (not for measuring) ---------------------------------

/**
 * @param {string} url
 * @param {{ method?: string, token?: string, body?: unknown }} [opts]
 */
async function call(url, opts = {}) {
  const res = await fetch(url, {
    method: opts.method ?? 'GET',
    headers: {
      ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
    },
    body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
  });
  const buf = Buffer.from(await res.arrayBuffer());
  return { status: res.status, type: res.headers.get('content-type') ?? '', buf, json: () => JSON.parse(buf.toString('utf8')) };
}

/** @param {string} url @param {{ method?: string, token?: string, body?: unknown }} [opts] */
async function ok(url, opts) {
  const r = await call(url, opts);
  if (r.status < 200 || r.status > 299) {
    throw new Error(`${opts?.method ?? 'GET'} ${url} → ${r.status}: ${r.buf.toString('utf8').slice(0, 500)}`);
  }
  return r.json();
}

/**
 * Runs bench/load.mjs in its own process and returns its JSON result.
 * @param {Record<string, unknown>} arg
 * @param {number} timeoutMs
 */
async function load(arg, timeoutMs) {
  const text = JSON.stringify(arg);
  let param = text;
  let file;
  if (text.length > 100_000) {
    file = join(tmpdir(), `aeio-bench-load-${process.pid}-${Date.now()}.json`);
    writeFileSync(file, text);
    param = `@${file}`;
  }
  try {
    return JSON.parse(await runNode([LOAD, param], timeoutMs));
  } finally {
    if (file) rmSync(file, { force: true });
  }
}

// ---- the processes ------------------------------------------------------------------------------

/**
 * @typedef {object} Target
 * @property {'service' | 'floor'} name
 * @property {'service' | 'floor'} kind
 * @property {string} base   http://127.0.0.1:port
 * @property {import('./lib/procs.mjs').Child} child
 * @property {string} eldFile
 */


/**
 * @param {'service' | 'floor'} kind
 * @param {{ logLevel?: string }} [opts]  the service's LOG_LEVEL (warn)
 * @returns {Promise<Target>}
 */
async function startTarget(kind, opts = {}) {
  const name = kind;
  const logLevel = opts.logLevel ?? 'warn';
  const port = await freePort();
  const eldFile = join(ctx.dataDir, `${name}-eld.json`);
  const common = {
    PATH: env.PATH,
    DATABASE_URL: database?.url,
    PORT: String(port),
    JWT_SECRET,
    OPENAI_BASE_URL: `${ctx.fakeUrl}/v1`,
    BENCH_ELD_FILE: eldFile,
  };
  /** @type {import('./lib/procs.mjs').Child} */
  let child;
  if (kind === 'service') {
    const profDir = join(RESULTS, 'profiles');
    if (CFG.cpuProf) mkdirSync(profDir, { recursive: true });
    child = spawnNode(
      name,
      [...(CFG.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : []), '--import', PRELOAD, MAIN],
      {
        cwd: ctx.dataDir,
        // At info every request is a log line: to a file, as a deployment writes it, not into our loop.
        stdoutFile: logLevel === 'warn' ? undefined : join(ctx.dataDir, `${name}-${logLevel}.log`),
        env: {
          ...common,
          NODE_ENV: 'production',
          HOST: '127.0.0.1',
          DATA_DIR: ctx.dataDir,
          JWT_EXPIRES_IN: '2h',
          OPENAI_API_KEY: 'bench',
          OPENAI_MODEL: 'bench',
          LOG_LEVEL: logLevel,
          // So that the rate limiter never refuses a benchmark request.
          THROTTLE_AUTH_LIMIT: '100000000',
          THROTTLE_AUTH_FAILURE_LIMIT: '100000000',
          // Scenario 2b reads …/static/{name}, which counts in the preview bucket.
          THROTTLE_LIMIT_PREVIEW: '100000000',
          THROTTLE_LIMIT_FREE: '100000000',
          THROTTLE_LIMIT_PRO: '100000000',
          THROTTLE_LIMIT_ENTERPRISE: '100000000',
          // Nor the per-user caps (0 = unlimited): one bench user runs many sessions, turns and tokens.
          LIMIT_SESSIONS_FREE: '0',
          LIMIT_STORAGE_BYTES_FREE: '0',
          LIMIT_CONCURRENT_RUNS_FREE: '0',
          LIMIT_TOKENS_PER_DAY_FREE: '0',
          // Nor the open streams per user: scenario 7 streams 50 runs per user at once.
          LIMIT_STREAMS_PER_USER: '0',
          // 50 one-call rounds plus the answer.
          AGENT_MAX_ITERATIONS: '200',
        },
      },
    );
    await waitForHttp(`http://127.0.0.1:${port}/api/health`, child);
  } else {
    child = spawnNode('floor', ['--import', PRELOAD, join(BENCH, 'floor', 'server.mjs')], {
      cwd: ROOT,
      env: { ...common, POOL_MAX: '20' },
    });
    await waitForHttp(`http://127.0.0.1:${port}/health`, child);
  }
  return { name, kind, base: `http://127.0.0.1:${port}`, child, eldFile };
}

/**
 * Asks a target (SIGUSR2) for its event-loop delay since the previous ask, and resets it.
 * @param {Target} target
 */
async function eventLoopDelay(target) {
  let before = 0;
  try {
    before = JSON.parse(readFileSync(target.eldFile, 'utf8')).seq;
  } catch {
    // first time
  }
  target.child.proc.kill('SIGUSR2');
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    try {
      const snap = JSON.parse(readFileSync(target.eldFile, 'utf8'));
      if (snap.seq > before) return snap;
    } catch {
      // not written yet
    }
    await sleep(20);
  }
  throw new Error(`${target.name} did not write its event-loop delay`);
}

const fake = {
  /** @param {Record<string, unknown>} config */
  config: (config) => ok(`${ctx.fakeUrl}/_config`, { method: 'POST', body: config }),
  /** @returns {Promise<{ tag: string, start: number, end: number, toolResults: number, chunks?: [number, number][] }[]>} */
  records: () => ok(`${ctx.fakeUrl}/_records`),
  /** @returns {Promise<{ active: number, served: number }>} */
  stats: () => ok(`${ctx.fakeUrl}/_stats`),
};

// ---- seeding ------------------------------------------------------------------------------------

/** @type {pg.Pool} */
let sql;

/** Registers a user through the service's API; returns its id and access token. */
async function register(/** @type {Target} */ service, /** @type {string} */ username) {
  const r = await ok(`${service.base}/api/auth/register`, {
    method: 'POST',
    body: { username, email: `${username}@bench.example`, password: PASSWORD },
  });
  return { id: /** @type {number} */ (r.user.id), token: /** @type {string} */ (r.access_token), username };
}

/** Creates n sessions through the API. */
async function apiSessions(/** @type {Target} */ service, /** @type {string} */ token, /** @type {number} */ n, title = 'Bench') {
  const ids = [];
  for (let i = 0; i < n; i++) {
    ids.push((await ok(`${service.base}/api/sessions`, { method: 'POST', token, body: { title: `${title} ${i + 1}` } })).id);
  }
  return /** @type {string[]} */ (ids);
}

/** Creates n sessions for a user in one SQL statement (bulk), newest first by updated_at. */
async function sqlSessions(/** @type {number} */ userId, /** @type {number} */ n, /** @type {string} */ seed) {
  const { rows } = await sql.query(
    `INSERT INTO sessions (id, user_id, title, created_at, updated_at)
     SELECT md5($1 || g::text), $2, 'Landing page for client ' || g,
            now() - g * interval '1 minute', now() - g * interval '1 minute'
       FROM generate_series(1, $3) g
     RETURNING id`,
    [seed, userId, n],
  );
  return rows.map((r) => /** @type {string} */ (r.id));
}

/** Puts n small files into a session in one SQL statement and keeps sandbox_bytes right. */
async function sqlFiles(/** @type {string} */ sessionId, /** @type {number} */ n) {
  await sql.query(
    `INSERT INTO sandbox_files (session_id, path, content, size, content_type)
     SELECT $1, 'pages/page-' || lpad(g::text, 5, '0') || '.html', convert_to(repeat('<p>x</p>', 16), 'UTF8'), 128,
            'text/html; charset=utf-8'
       FROM generate_series(1, $2) g`,
    [sessionId, n],
  );
  await sql.query(`UPDATE sessions SET sandbox_bytes = $2 WHERE id = $1`, [sessionId, n * 128]);
}

/** A 10 KB page of HTML-like text (compresses like real markup does). */
function page(/** @type {number} */ bytes) {
  const words = 'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore magna aliqua'.split(' ');
  let out = '<!doctype html>\n<html><head><title>Bench</title><link rel="stylesheet" href="style.css"></head><body>\n';
  let i = 0;
  while (out.length < bytes) {
    out += `<p class="c${i % 7}">${words[i % words.length]} ${words[(i * 7) % words.length]} ${i}</p>\n`;
    i++;
  }
  return out.slice(0, bytes);
}

// ---- measuring ----------------------------------------------------------------------------------

/**
 * @typedef {object} HttpResult
 * @property {number} rps
 * @property {{ mean: number, p50: number, p90: number, p99: number, max: number }} latency
 * @property {number} requests
 * @property {number} non2xx
 * @property {number} errors
 * @property {number} timeouts
 * @property {number} bytesPerResponse
 * @property {number} cpu_us_per_request  CPU time (user + system) of the target process per request
 */

/**
 * One autocannon measurement in the load process; fails on any non-2xx, error or timeout.
 * @param {Target} target
 * @param {{ path?: string, paths?: string[], method?: string, token: string, body?: string, warmupSec: number, durationSec: number, connections?: number }} spec
 * @returns {Promise<HttpResult>}
 */
async function measureHttp(target, spec) {
  const headers = /** @type {Record<string, string>} */ ({ authorization: `Bearer ${spec.token}` });
  if (spec.body) headers['content-type'] = 'application/json';
  const pid = /** @type {number} */ (target.child.proc.pid);
  const cpu0 = cpuMs(pid);
  const r = await load(
    {
      mode: 'http',
      url: `${target.base}${spec.path ?? spec.paths?.[0]}`,
      paths: spec.paths,
      method: spec.method ?? 'GET',
      headers,
      body: spec.body,
      connections: spec.connections ?? CFG.connections,
      warmupSec: spec.warmupSec,
      durationSec: spec.durationSec,
    },
    (spec.warmupSec + spec.durationSec + 60) * 1000,
  );
  // CPU time of the target process per request (warm-up included on both sides of the division).
  r.cpu_us_per_request = ((cpuMs(pid) - cpu0) * 1000) / (r.requests + r.warmupRequests);
  if (r.non2xx > 0 || r.errors > 0 || r.timeouts > 0) {
    throw new Error(
      `${target.name} ${spec.method ?? 'GET'} ${spec.path ?? spec.paths?.[0]}: ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts of ${r.requests} requests`,
    );
  }
  return r;
}

/**
 * The service and the floor must give the same answer before they are compared.
 * @param {Target[]} targets @param {string} path @param {{ method?: string, token: string, body?: unknown, raw?: boolean }} opts
 */
async function sameAnswer(targets, path, opts) {
  const answers = [];
  for (const t of targets) {
    const r = await call(`${t.base}${path}`, opts);
    if (r.status !== 200) throw new Error(`${t.name} ${opts.method ?? 'GET'} ${path} → ${r.status}: ${r.buf.toString('utf8').slice(0, 300)}`);
    answers.push(r);
  }
  const [a, ...others] = answers;
  for (const [i, b] of others.entries()) {
    const same = opts.raw
      ? a.buf.equals(b.buf) && a.type === b.type
      : isDeepStrictEqual(a.json(), b.json());
    if (!same) {
      throw new Error(`${targets[0].name} and ${targets[i + 1].name} answer ${path} differently:\n${a.buf.toString('utf8').slice(0, 300)}\n---\n${b.buf.toString('utf8').slice(0, 300)}`);
    }
  }
  return a.buf.length;
}

/**
 * The service, then the floor, with identical settings.
 * @param {Target[]} targets  the service, then the floor
 * @param {Parameters<typeof measureHttp>[1]} spec
 */
async function pair(targets, spec) {
  /** @type {Record<string, HttpResult>} */
  const out = {};
  for (const t of targets) {
    out[t.name] = await measureHttp(t, spec);
    log(`  ${t.name.padEnd(7)} ${fmt(out[t.name].rps)} req/s, p50 ${fmt(out[t.name].latency.p50)} ms, p99 ${fmt(out[t.name].latency.p99)} ms, CPU ${fmt(out[t.name].cpu_us_per_request)} µs/request`);
  }
  const { service, floor } = out;
  return {
    service,
    floor,
    ratio_rps: service.rps / floor.rps,
    ratio_p99: service.latency.p99 / floor.latency.p99,
    ratio_cpu: service.cpu_us_per_request / floor.cpu_us_per_request,
    connections: spec.connections ?? CFG.connections,
  };
}

// ---- main ---------------------------------------------------------------------------------------

async function main() {
  /** @type {Record<string, any>} */
  const results = {};
  /** @type {{ scenario: string, error: string }[]} */
  const failures = [];
  /** What the service processes printed (LOG_LEVEL=warn: warnings and errors only). */
  /** @type {string[]} */
  const serviceLogs = [];
  const scenario = async (/** @type {string} */ id, /** @type {string} */ title, /** @type {() => Promise<unknown>} */ fn) => {
    if (!runs(id)) return;
    log(`scenario ${id}: ${title}`);
    const started = Date.now();
    try {
      results[id] = await fn();
      log(`scenario ${id} done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      failures.push({ scenario: id, error: message });
      results[id] = { error: message };
      log(`SCENARIO ${id} FAILED: ${message}`);
    }
  };

  // -- set-up --
  ctx.dataDir = mkdtempSync(join(tmpdir(), 'aeio-bench-'));
  chmodSync(ctx.dataDir, 0o755);
  log(`starting embedded PostgreSQL (fsync ${CFG.pgFsync ? 'on' : 'off'})`);
  database = await startPostgres({ fsync: CFG.pgFsync });
  sql = new pg.Pool({ connectionString: database.url, max: 4 });
  // An idle connection the server drops must not crash the orchestrator (and leave children behind).
  sql.on('error', (err) => log(`seeding pool: ${err.message}`));
  ctx.fakePort = await freePort();
  ctx.fakeUrl = `http://127.0.0.1:${ctx.fakePort}`;
  const fakeChild = spawnNode('fake-llm', [join(BENCH, 'fake-llm.mjs')], { env: { PATH: env.PATH, PORT: String(ctx.fakePort) } });
  await waitForHttp(`${ctx.fakeUrl}/health`, fakeChild);
  log('starting the service (migrations run at start-up) and the floor');
  let service = await startTarget('service');
  let floor = await startTarget('floor');
  let both = [service, floor];

  log('seeding');
  const uList = await register(service, 'list50');
  await apiSessions(service, uList.token, 50, 'Landing page for client');
  const uList500 = await register(service, 'list500');
  await sqlSessions(uList500.id, 500, 'l500-');
  const uList5000 = await register(service, 'list5000');
  await sqlSessions(uList5000.id, 5000, 'l5000-');
  const uFiles = await register(service, 'files');
  const [fileSession, f20, f200, f2000] = await apiSessions(service, uFiles.token, 4, 'Files');
  const content10k = page(CFG.fileBytes);
  await ok(`${service.base}/api/sessions/${fileSession}/sandbox/files/index.html`, { method: 'POST', token: uFiles.token, body: { content: content10k } });
  await sqlFiles(f20, 20);
  await sqlFiles(f200, 200);
  await sqlFiles(f2000, 2000);
  const uWrite = await register(service, 'writer');
  const writeSessions = await apiSessions(service, uWrite.token, 20, 'Writes');
  const uAgent = await register(service, 'agent');
  log(`seeded in ${((Date.now() - T0) / 1000).toFixed(1)} s`);

  // -- 1 --
  await scenario('1', 'GET /api/sessions, 50 sessions', async () => {
    const bytes = await sameAnswer(both, '/api/sessions', { token: uList.token });
    const r = await pair(both, { path: '/api/sessions', token: uList.token, warmupSec: CFG.warmupSec, durationSec: CFG.durationSec });
    return { ...r, response_bytes: bytes };
  });

  // -- 2 --
  await scenario('2', 'GET …/sandbox/files/{name} and …/static/{name}, 10 KB', async () => {
    const filesPath = `/api/sessions/${fileSession}/sandbox/files/index.html`;
    const staticPath = `/api/sessions/${fileSession}/sandbox/static/index.html`;
    await sameAnswer(both, filesPath, { token: uFiles.token });
    await sameAnswer(both, staticPath, { token: uFiles.token, raw: true });
    log(' files/{name}');
    const files = await pair(both, { path: filesPath, token: uFiles.token, warmupSec: CFG.warmupSec, durationSec: CFG.durationSec });
    log(' static/{name}');
    const stat = await pair(both, { path: staticPath, token: uFiles.token, warmupSec: CFG.warmupSec, durationSec: CFG.durationSec });
    return { files, static: stat };
  });

  // -- 3 --
  await scenario('3', 'POST …/sandbox/files/{name}, 10 KB, over 20 sessions', async () => {
    const body = JSON.stringify({ content: page(CFG.fileBytes) });
    const paths = writeSessions.map((s) => `/api/sessions/${s}/sandbox/files/bench.html`);
    await sameAnswer(both, paths[0], { method: 'POST', token: uWrite.token, body: JSON.parse(body) });
    const r = await pair(both, { paths, method: 'POST', body, token: uWrite.token, warmupSec: CFG.warmupSec, durationSec: CFG.durationSec });
    const { rows } = await sql.query(`SELECT count(*)::int AS n, sum(size)::int AS bytes FROM sandbox_files WHERE session_id = ANY($1)`, [writeSessions]);
    if (rows[0].n !== writeSessions.length || rows[0].bytes !== writeSessions.length * CFG.fileBytes) {
      throw new Error(`after the writes the 20 sessions hold ${rows[0].n} files / ${rows[0].bytes} bytes`);
    }
    return { ...r, sessions: writeSessions.length };
  });

  // -- 4 --
  await scenario('4', `login: ${CFG.logins} sequential password checks`, async () => {
    const source = readFileSync(join(ROOT, 'src', 'auth', 'password.service.ts'), 'utf8');
    const param = (/** @type {string} */ k) => Number(new RegExp(`${k}:\\s*(\\d+)`).exec(source)?.[1]);
    const argon2 = { memoryCost: param('memoryCost'), timeCost: param('timeCost'), parallelism: param('parallelism') };
    const login = await load(
      {
        mode: 'sequential',
        url: `${service.base}/api/auth/login`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: uList.username, password: PASSWORD }),
        n: CFG.logins,
      },
      120_000,
    );
    if (login.statuses.some((/** @type {number} */ s) => s !== 200)) throw new Error(`login answered ${login.statuses.join(',')}`);
    // The floor: the same argon2id verification, bare, in its own process.
    const { rows } = await sql.query(`SELECT password_hash FROM users WHERE id = $1`, [uList.id]);
    const bare = JSON.parse(
      await runNode(
        [
          '--input-type=module',
          '-e',
          `import { verify } from '@node-rs/argon2';
           const hash = ${JSON.stringify(rows[0].password_hash)}, ms = [];
           for (let i = 0; i < ${CFG.logins}; i++) { const t = performance.now(); if (!(await verify(hash, ${JSON.stringify(PASSWORD)}))) process.exit(3); ms.push(performance.now() - t); }
           console.log(JSON.stringify(ms));`,
        ],
        120_000,
      ),
    );
    return {
      argon2,
      hash_prefix: String(rows[0].password_hash).split('$').slice(0, 4).join('$'),
      service_ms: { median: median(login.ms), p90: percentile(login.ms, 90), all: login.ms },
      floor_ms: { median: median(bare), p90: percentile(bare, 90), all: bare },
      ratio: median(login.ms) / median(bare),
    };
  });

  // -- 5 --
  await scenario('5', `agent overhead: ${CFG.agentToolCalls} tool calls against a zero-latency model`, async () => {
    /** @type {Record<string, any>} */
    const out = {};
    for (const perRound of [1, 10]) {
      await fake.config({ mode: 'tools', toolCalls: CFG.agentToolCalls, perRound, fileBytes: 200, argPieces: 4 });
      const key = perRound === 1 ? 'one_call_per_round' : `${perRound}_calls_per_round`;
      out[key] = {};
      for (const t of both) {
        const perCall = [];
        const cpuPerCall = [];
        const detail = [];
        const sessions = await apiSessions(service, uAgent.token, CFG.repeats + 1, `Agent ${t.name} ${perRound}`);
        for (const [i, sid] of sessions.entries()) {
          const tag = `bench-s5-${t.name}-${perRound}-${i}`;
          const pid = /** @type {number} */ (t.child.proc.pid);
          const cpu0 = cpuMs(pid);
          const r = await load({ mode: 'agent', url: `${t.base}/api/sessions/${sid}/messages`, token: uAgent.token, content: tag }, 120_000);
          const cpu = cpuMs(pid) - cpu0;
          if (r.status !== 200 || r.body.finish_reason !== 'completed') {
            throw new Error(`${t.name} agent run → ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
          }
          const records = (await fake.records()).filter((x) => x.tag === tag);
          const rounds = Math.ceil(CFG.agentToolCalls / perRound) + 1;
          if (records.length !== rounds) throw new Error(`${t.name}: expected ${rounds} model requests, saw ${records.length}`);
          const modelMs = records.reduce((a, x) => a + (x.end - x.start), 0);
          const listing = await ok(`${service.base}/api/sessions/${sid}/sandbox/files`, { token: uAgent.token });
          if (listing.files.length !== CFG.agentToolCalls) throw new Error(`${t.name}: ${listing.files.length} files written, expected ${CFG.agentToolCalls}`);
          if (i === 0) continue; // warm-up run
          perCall.push((r.wallMs - modelMs) / CFG.agentToolCalls);
          cpuPerCall.push(cpu / CFG.agentToolCalls);
          detail.push({ wall_ms: r.wallMs, model_ms: modelMs, model_requests: records.length, cpu_ms: cpu });
        }
        out[key][t.kind] = {
          ms_per_call_median: median(perCall),
          ms_per_call: perCall,
          cpu_ms_per_call_median: median(cpuPerCall),
          runs: detail,
        };
        log(`  ${perRound}/round ${t.name.padEnd(7)} ${fmt(median(perCall))} ms per tool call, CPU ${fmt(median(cpuPerCall))} ms per call (runs: ${perCall.map((x) => fmt(x)).join(', ')})`);
      }
      out[key].ratio = out[key].service.ms_per_call_median / out[key].floor.ms_per_call_median;
    }
    // The service's steps of its last run must all be completed.
    return out;
  });

  // -- 6 --
  await scenario('6', `streaming relay: ${CFG.relayChunks} chunks ${CFG.relayDelayMs} ms apart`, async () => {
    await fake.config({ mode: 'text', chunks: CFG.relayChunks, delayMs: CFG.relayDelayMs, jitter: false, recordChunks: true });
    const expected = Array.from({ length: CFG.relayChunks }, (_, i) => `t${i} `).join('');
    /** @type {Record<string, any>} */
    const out = {};
    for (const t of both) {
      const sessions = await apiSessions(service, uAgent.token, CFG.repeats + 1, `Relay ${t.name}`);
      /** @type {number[]} */
      const delays = [];
      for (const [i, sid] of sessions.entries()) {
        const tag = `bench-s6-${t.name}-${i}`;
        const r = await load(
          { mode: 'streams', recordDeltas: true, runs: [{ url: `${t.base}/api/sessions/${sid}/messages`, token: uAgent.token, content: tag }] },
          60_000,
        );
        const run = r.runs[0];
        if (run.status !== 200 || run.text !== expected || !run.events.done) {
          throw new Error(`${t.name} streamed run: status ${run.status}, ${run.textLength} chars, events ${JSON.stringify(run.events)} ${run.error ?? ''}`);
        }
        const record = (await fake.records()).find((x) => x.tag === tag);
        if (!record?.chunks) throw new Error(`${t.name}: the model server has no record of ${tag}`);
        if (i === 0) continue; // warm-up run
        // Match by content: a chunk has arrived once the deltas read so far cover its end offset.
        let d = 0;
        for (const [offset, written] of record.chunks) {
          while (d < run.deltas.length && run.deltas[d][0] < offset) d++;
          delays.push(run.deltas[d][1] - written);
        }
      }
      out[t.kind] = { p50_ms: percentile(delays, 50), p99_ms: percentile(delays, 99), max_ms: Math.max(...delays), samples: delays.length };
      log(`  ${t.name.padEnd(7)} relay p50 ${fmt(out[t.kind].p50_ms)} ms, p99 ${fmt(out[t.kind].p99_ms)} ms`);
    }
    out.ratio_p50 = out.service.p50_ms / out.floor.p50_ms;
    out.ratio_p99 = out.service.p99_ms / out.floor.p99_ms;
    return out;
  });

  // -- 8 -- (before 7, which restarts both processes)
  await scenario('8', 'growth: sessions 50/500/5,000, files 20/200/2,000', async () => {
    const spec = { warmupSec: CFG.growthWarmupSec, durationSec: CFG.growthDurationSec };
    const cases = {
      sessions: [
        { size: 50, path: '/api/sessions', token: uList.token },
        { size: 500, path: '/api/sessions', token: uList500.token },
        { size: 5000, path: '/api/sessions', token: uList5000.token },
      ],
      files: [
        { size: 20, path: `/api/sessions/${f20}/sandbox/files`, token: uFiles.token },
        { size: 200, path: `/api/sessions/${f200}/sandbox/files`, token: uFiles.token },
        { size: 2000, path: `/api/sessions/${f2000}/sandbox/files`, token: uFiles.token },
      ],
    };
    /** @type {Record<string, any[]>} */
    const out = {};
    for (const [route, list] of Object.entries(cases)) {
      out[route] = [];
      for (const c of list) {
        const bytes = await sameAnswer(both, c.path, { token: c.token });
        log(` ${route} × ${c.size} (${fmt(bytes)} bytes)`);
        const r = await pair(both, { path: c.path, token: c.token, ...spec });
        out[route].push({ size: c.size, response_bytes: bytes, ...r });
      }
      const [base] = out[route];
      for (const row of out[route]) {
        const sizeGrowth = row.response_bytes / base.response_bytes;
        row.size_growth = sizeGrowth;
        for (const t of /** @type {const} */ (['service', 'floor'])) {
          // Cost per request = 1 / throughput (at fixed concurrency, mean latency ≈ connections / req/s).
          row[`${t}_cost_growth`] = base[t].rps / row[t].rps;
          row[`${t}_growth_vs_size`] = row[`${t}_cost_growth`] / sizeGrowth;
        }
      }
    }
    return out;
  });

  // -- 9 -- (scenarios 1–3 again, wide, with the service logging as it does by default; before 7, which restarts)
  await scenario('9', `scenarios 1–3 at ${CFG.wideConnections} connections, service at LOG_LEVEL=info`, async () => {
    await service.child.stop();
    serviceLogs.push(service.child.output());
    service = await startTarget('service', { logLevel: 'info' });
    both = [service, floor];
    const spec = { warmupSec: CFG.warmupSec, durationSec: CFG.durationSec, connections: CFG.wideConnections };
    log(' GET /api/sessions');
    const sessions = await pair(both, { path: '/api/sessions', token: uList.token, ...spec });
    log(' GET files/{name}');
    const files = await pair(both, { path: `/api/sessions/${fileSession}/sandbox/files/index.html`, token: uFiles.token, ...spec });
    log(' GET static/{name}');
    const stat = await pair(both, { path: `/api/sessions/${fileSession}/sandbox/static/index.html`, token: uFiles.token, ...spec });
    log(' POST files/{name}');
    const body = JSON.stringify({ content: page(CFG.fileBytes) });
    const paths = writeSessions.map((id) => `/api/sessions/${id}/sandbox/files/bench.html`);
    const write = await pair(both, { paths, method: 'POST', body, token: uWrite.token, ...spec });
    return { connections: CFG.wideConnections, log_level: 'info', sessions, files, static: stat, write };
  });

  // -- 7 --
  await scenario('7', `${CFG.slowRuns} concurrent streamed runs, a token every ${CFG.slowDelayMs} ms`, async () => {
    const users = [];
    const perUser = 50;
    const nUsers = Math.ceil(CFG.slowRuns / perUser);
    for (let u = 0; u < nUsers; u++) users.push(await register(service, `slow${u}`));
    const names = /** @type {const} */ (['service', 'floor']);
    /** @type {Record<string, { url: string, token: string, content: string }[]>} */
    const runsFor = Object.fromEntries(names.map((n) => [n, []]));
    /** @type {Record<string, { url: string, token: string, content: string }[]>} */
    const warmFor = Object.fromEntries(names.map((n) => [n, []]));
    for (const [u, user] of users.entries()) {
      for (const t of names) {
        const ids = await sqlSessions(user.id, perUser + 2, `slow-${t}-${u}-`);
        ids.forEach((sid, i) => {
          const run = { url: sid, token: user.token, content: `bench-s7-${t}-${u}-${i}` };
          (i < perUser ? runsFor[t] : warmFor[t]).push(run);
        });
      }
    }
    const expectedLength = Array.from({ length: CFG.slowChunks }, (_, i) => `t${i} `).join('').length;
    /** @type {Record<string, any>} */
    const out = {};
    // Only the measured process runs: the others are stopped, so they take no memory or CPU meanwhile.
    await service.child.stop();
    serviceLogs.push(service.child.output());
    await floor.child.stop();
    /** @type {Target | undefined} */
    let previous;
    for (const name of names) {
      // A fresh process, so that memory left by the earlier scenarios does not hide what the runs take.
      if (previous) {
        await previous.child.stop();
        if (previous.kind === 'service') serviceLogs.push(previous.child.output());
      }
      const t = await startTarget(name);
      previous = t;
      if (name === 'floor') floor = t;
      else service = t;
      both = [service, floor];
      const pid = /** @type {number} */ (t.child.proc.pid);
      const withUrl = (/** @type {{ url: string, token: string, content: string }[]} */ list) =>
        list.map((r) => ({ ...r, url: `${t.base}/api/sessions/${r.url}/messages` }));
      // Warm-up: 20 short streamed runs, then let it settle.
      await fake.config({ mode: 'text', chunks: 20, delayMs: 5, jitter: true, recordChunks: false });
      const warm = await load({ mode: 'streams', runs: withUrl(warmFor[name]).slice(0, 20) }, 60_000);
      if (warm.runs.some((/** @type {any} */ r) => r.status !== 200 || !r.events.done)) throw new Error(`${name}: warm-up runs failed`);
      await sleep(2000);
      const baseline = [];
      for (let i = 0; i < 5; i++) {
        baseline.push(rssBytes(pid));
        await sleep(200);
      }
      const baselineRss = median(baseline);
      await fake.config({ mode: 'text', chunks: CFG.slowChunks, delayMs: CFG.slowDelayMs, jitter: true, recordChunks: false });
      await eventLoopDelay(t); // reset
      const cpu0 = cpuMs(pid);
      const fakeCpu0 = cpuMs(/** @type {number} */ (fakeChild.proc.pid));
      const launched = Date.now();
      const pending = load({ mode: 'streams', maxSockets: CFG.slowRuns + 16, runs: withUrl(runsFor[name]).slice(0, CFG.slowRuns) }, 180_000);
      let finished = false;
      pending.finally(() => (finished = true)).catch(() => undefined);
      /** @type {{ t: number, rss: number, active: number }[]} */
      const samples = [];
      let allActiveAt = 0;
      /** @type {Record<string, any>} */
      const eld = {};
      const runMs = CFG.slowChunks * CFG.slowDelayMs;
      const plateauMs = Math.max(2000, runMs - 5000);
      while (!finished) {
        const { active } = await fake.stats();
        const now = Date.now();
        samples.push({ t: now - launched, rss: rssBytes(pid), active });
        if (!allActiveAt && active >= CFG.slowRuns) {
          allActiveAt = now;
          eld.ramp = await eventLoopDelay(t);
        }
        if (!allActiveAt && now - launched > 30_000) {
          throw new Error(`${name}: only ${active} of ${CFG.slowRuns} runs reached the model after 30 s`);
        }
        if (allActiveAt && !eld.plateau && now - allActiveAt >= plateauMs) {
          eld.plateau = await eventLoopDelay(t);
        }
        await sleep(250);
      }
      const result = await pending;
      eld.drain = await eventLoopDelay(t);
      const cpu = cpuMs(pid) - cpu0;
      const fakeCpu = cpuMs(/** @type {number} */ (fakeChild.proc.pid)) - fakeCpu0;
      const bad = result.runs.filter((/** @type {any} */ r) => r.status !== 200 || !r.events.done || r.textLength !== expectedLength);
      if (bad.length > 0) {
        throw new Error(`${name}: ${bad.length} of ${result.runs.length} runs failed, e.g. status ${bad[0].status} ${bad[0].error ?? ''} (${bad[0].textLength} of ${expectedLength} chars)`);
      }
      const plateau = samples.filter((s) => allActiveAt && s.t >= allActiveAt - launched + 1000 && s.t <= allActiveAt - launched + plateauMs);
      const plateauRss = median(plateau.map((s) => s.rss));
      const peakRss = Math.max(...samples.map((s) => s.rss));
      const runDurations = result.runs.map((/** @type {any} */ r) => r.end - r.start);
      out[name] = {
        baseline_rss: baselineRss,
        plateau_rss: plateauRss,
        peak_rss: peakRss,
        kb_per_run: (plateauRss - baselineRss) / CFG.slowRuns / 1024,
        peak_kb_per_run: (peakRss - baselineRss) / CFG.slowRuns / 1024,
        eld_p99_ms: Math.max(eld.ramp.p99_ms, eld.plateau?.p99_ms ?? 0, eld.drain.p99_ms),
        eld_plateau_p99_ms: eld.plateau?.p99_ms,
        eld,
        ramp_ms: allActiveAt - launched,
        cpu_ms: cpu,
        cpu_us_per_token: (cpu * 1000) / (CFG.slowRuns * CFG.slowChunks),
        model_server_cpu_ms: fakeCpu,
        run_ms_median: median(runDurations),
        run_ms_max: Math.max(...runDurations),
        rss_samples: samples,
      };
      log(
        `  ${name.padEnd(7)} ${fmt(out[name].kb_per_run)} KB per run (rss ${fmt(baselineRss / 2 ** 20)} → ${fmt(plateauRss / 2 ** 20)} MiB), ` +
          `event-loop delay p99 ${fmt(out[name].eld_p99_ms)} ms (ramp ${fmt(eld.ramp.p99_ms)}, plateau ${fmt(eld.plateau?.p99_ms)}, drain ${fmt(eld.drain.p99_ms)}), ` +
          `all streaming after ${fmt(out[name].ramp_ms)} ms, CPU ${fmt(cpu / 1000)} s (${fmt(out[name].cpu_us_per_token)} µs per token)`,
      );
    }
    out.ratio_kb = out.service.kb_per_run / out.floor.kb_per_run;
    out.ratio_eld = out.service.eld_p99_ms / out.floor.eld_p99_ms;
    return out;
  });

  // -- the end --
  log('stopping');
  await service.child.stop();
  serviceLogs.push(service.child.output());
  await floor.child.stop();
  await fakeChild.stop();
  await sql.end();
  await database.stop();
  database = undefined;
  rmSync(ctx.dataDir, { recursive: true, force: true });
  ctx.dataDir = '';

  const seconds = (Date.now() - T0) / 1000;
  const report = render(results);
  const json = {
    date: new Date().toISOString(),
    duration_sec: seconds,
    machine: machine(),
    config: { ...CFG, only: CFG.only ? [...CFG.only] : null },
    results,
    failures,
    service_log: serviceLogs.map((l) => l.split('\n').filter((x) => x.trim()).slice(-50)),
    table: report,
  };
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(join(RESULTS, 'latest.json'), JSON.stringify(json, null, 2) + '\n');
  console.log(report);
  console.log(`\n${json.machine.cpus} × ${json.machine.cpu_model}, Node ${json.machine.node}, ${json.date}; took ${seconds.toFixed(0)} s.`);
  console.log(`All numbers: bench/results/latest.json`);
  const logged = json.service_log.flat();
  if (logged.length > 0) {
    console.error(`\nThe service logged ${logged.length} warning/error line(s) (service_log in latest.json), the last:\n${logged.slice(-3).join('\n')}`);
  }
  if (failures.length > 0) {
    console.error(`\n${failures.length} scenario(s) FAILED:`);
    for (const f of failures) console.error(`  ${f.scenario}: ${f.error}`);
    process.exitCode = 1;
  }
}

function machine() {
  let commit = '';
  try {
    commit = execSync('git rev-parse --short HEAD', { cwd: ROOT }).toString().trim();
    const dirty = execSync('git status --porcelain -- src', { cwd: ROOT }).toString().trim() !== '';
    if (dirty) commit += ' (src/ has uncommitted changes)';
  } catch {
    // not a git checkout
  }
  return {
    cpus: cpus().length,
    cpu_model: cpus()[0]?.model ?? 'unknown',
    memory_gib: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    platform: `${platform()} ${release()}`,
    node: process.version,
    commit,
  };
}

// ---- the report ---------------------------------------------------------------------------------

/** @param {Record<string, any>} results */
function render(results) {
  /** @type {string[][]} */
  const rows = [];
  const met = (/** @type {boolean} */ b) => (b ? 'yes' : '**NO**');
  const failed = (/** @type {string} */ id, /** @type {string} */ label) => {
    if (results[id]?.error) rows.push([label, 'FAILED', '', '', '', results[id].error.slice(0, 80)]);
    return !results[id] || results[id].error;
  };
  const http = (/** @type {string} */ label, /** @type {any} */ r) => {
    rows.push([`${label}: req/s`, fmt(r.service.rps), fmt(r.floor.rps), `${fmt(r.ratio_rps)}×`, '≥ 0.6×', met(r.ratio_rps >= 0.6)]);
    rows.push([`${label}: p99 ms`, fmt(r.service.latency.p99), fmt(r.floor.latency.p99), `${fmt(r.ratio_p99)}×`, '≤ 2×', met(r.ratio_p99 <= 2)]);
  };
  if (!failed('1', '1. GET /api/sessions (50)')) http('1. GET /api/sessions (50)', results['1']);
  if (!failed('2', '2. GET files/{name}, static/{name}')) {
    http('2a. GET …/files/{name} 10 KB', results['2'].files);
    http('2b. GET …/static/{name} 10 KB', results['2'].static);
  }
  if (!failed('3', '3. POST …/files/{name} 10 KB')) http('3. POST …/files/{name} 10 KB', results['3']);
  if (!failed('9', `9. 1–3 at ${CFG.wideConnections} connections, info logging`)) {
    const r = results['9'];
    const c = r.connections;
    http(`9·1. GET /api/sessions (50), ${c} conn`, r.sessions);
    http(`9·2a. GET …/files/{name}, ${c} conn`, r.files);
    http(`9·2b. GET …/static/{name}, ${c} conn`, r.static);
    http(`9·3. POST …/files/{name}, ${c} conn`, r.write);
  }
  if (!failed('4', '4. login')) {
    const r = results['4'];
    rows.push([
      `4. login: ms per password check`,
      fmt(r.service_ms.median),
      fmt(r.floor_ms.median),
      `${fmt(r.ratio)}×`,
      `report (argon2id m=${r.argon2.memoryCost} KiB, t=${r.argon2.timeCost}, p=${r.argon2.parallelism})`,
      '—',
    ]);
  }
  if (!failed('5', '5. agent overhead')) {
    const r = results['5'];
    const one = r.one_call_per_round;
    rows.push(['5. agent: ms overhead per tool call (50 rounds × 1)', fmt(one.service.ms_per_call_median), fmt(one.floor.ms_per_call_median), `${fmt(one.ratio)}×`, '≤ 5 ms', met(one.service.ms_per_call_median <= 5)]);
    const ten = r['10_calls_per_round'];
    if (ten) rows.push(['5′. same, 5 rounds × 10 calls (info)', fmt(ten.service.ms_per_call_median), fmt(ten.floor.ms_per_call_median), `${fmt(ten.ratio)}×`, '≤ 5 ms', met(ten.service.ms_per_call_median <= 5)]);
  }
  if (!failed('6', '6. relay')) {
    const r = results['6'];
    rows.push(['6. relay chunk → delta: p50 ms', fmt(r.service.p50_ms), fmt(r.floor.p50_ms), `${fmt(r.ratio_p50)}×`, '—', '—']);
    rows.push(['6. relay chunk → delta: p99 ms', fmt(r.service.p99_ms), fmt(r.floor.p99_ms), `${fmt(r.ratio_p99)}×`, '≤ 10 ms', met(r.service.p99_ms <= 10)]);
  }
  if (!failed('7', '7. concurrent runs')) {
    const r = results['7'];
    rows.push([`7. ${CFG.slowRuns} streamed runs: RSS KB per run`, fmt(r.service.kb_per_run), fmt(r.floor.kb_per_run), `${fmt(r.ratio_kb)}×`, '≤ 300 KB', met(r.service.kb_per_run <= 300)]);
    rows.push([`7. ${CFG.slowRuns} streamed runs: event-loop delay p99 ms`, fmt(r.service.eld_p99_ms), fmt(r.floor.eld_p99_ms), `${fmt(r.ratio_eld)}×`, '≤ 50 ms', met(r.service.eld_p99_ms <= 50)]);
  }
  if (!failed('8', '8. growth')) {
    for (const route of /** @type {const} */ (['sessions', 'files'])) {
      const list = results['8'][route];
      const last = list[list.length - 1];
      const label = route === 'sessions' ? 'GET /api/sessions' : 'GET …/sandbox/files';
      rows.push([
        `8. ${label} at 100×: cost growth ÷ size growth`,
        fmt(last.service_growth_vs_size),
        fmt(last.floor_growth_vs_size),
        `${fmt(last.service_growth_vs_size / last.floor_growth_vs_size)}×`,
        '≤ 1',
        met(last.service_growth_vs_size <= 1),
      ]);
    }
  }
  let text = table(['scenario', 'service', 'floor', 'ratio', 'target', 'met?'], rows);
  if (results['8'] && !results['8'].error) {
    /** @type {string[][]} */
    const g = [];
    for (const route of /** @type {const} */ (['sessions', 'files'])) {
      for (const row of results['8'][route]) {
        g.push([
          route === 'sessions' ? `GET /api/sessions × ${row.size}` : `GET …/sandbox/files × ${row.size}`,
          fmt(row.response_bytes),
          fmt(row.service.rps),
          fmt(row.service.latency.mean),
          fmt(row.floor.rps),
          fmt(row.floor.latency.mean),
          `${fmt(row.ratio_rps)}×`,
          `${fmt(row.size_growth)}×`,
          `${fmt(row.service_cost_growth)}× (${fmt(row.service_growth_vs_size)})`,
          `${fmt(row.floor_cost_growth)}× (${fmt(row.floor_growth_vs_size)})`,
        ]);
      }
    }
    text +=
      '\n\nScenario 8, growth (cost = 1 / req/s at fixed concurrency; in brackets: cost growth ÷ size growth)\n\n' +
      table(
        ['route × size', 'bytes', 'service req/s', 'service mean ms', 'floor req/s', 'floor mean ms', 'ratio req/s', 'size growth', 'service cost growth', 'floor cost growth'],
        g,
      );
  }
  return text;
}

main().catch((err) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
