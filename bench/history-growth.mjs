// @ts-check
/**
 * `npm run bench:history` (after `npm run build`): does reading the current files get slower as a
 * session's history grows? (issue #10, "files API after 1,000 versions"). A small scenario of its own,
 * apart from `npm run bench`: one embedded PostgreSQL, one service process, autocannon in-process.
 *
 * It measures GET …/sandbox/files (the listing) and GET …/sandbox/files/index.html on a session of 20
 * files with 20 versions, then makes 1,000 more versions (writes and restores), and measures again.
 * Knobs: BENCH_HISTORY_DURATION (s per measurement, default 5), BENCH_HISTORY_VERSIONS (1000).
 */
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { startPostgres } from './lib/postgres.mjs';
import { freePort, killAllChildrenSync, spawnNode, waitForHttp } from './lib/procs.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DURATION = Number(process.env.BENCH_HISTORY_DURATION ?? 5);
const VERSIONS = Number(process.env.BENCH_HISTORY_VERSIONS ?? 1000);
const log = (/** @type {string} */ line) => console.log(`[history] ${line}`);

/** @param {string} url @param {{ method?: string, token?: string, body?: unknown }} [opts] */
async function call(url, opts = {}) {
  const res = await fetch(url, {
    method: opts.method ?? 'GET',
    headers: {
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
      ...(opts.body ? { 'content-type': 'application/json' } : {}),
    },
    body: opts.body ? JSON.stringify(opts.body) : undefined,
  });
  const body = await res.json();
  if (res.status >= 300) throw new Error(`${opts.method ?? 'GET'} ${url} → ${res.status} ${JSON.stringify(body)}`);
  return body;
}

/** @param {string} url @param {string} token */
async function measure(url, token) {
  const result = await autocannon({
    url,
    connections: 10,
    duration: DURATION,
    headers: { authorization: `Bearer ${token}` },
  });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return { rps: result.requests.average, p50_ms: result.latency.p50, p99_ms: result.latency.p99 };
}

async function main() {
  const db = await startPostgres({ fsync: false });
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'aeio-bench-history-'));
  chmodSync(dataDir, 0o755);
  const service = spawnNode('service', [join(ROOT, 'dist', 'main.js')], {
    cwd: dataDir,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: db.url,
      JWT_SECRET: 'bench-secret-that-is-long-enough-for-hs256-0123456789abcdef',
      LOG_LEVEL: 'warn',
      THROTTLE_LIMIT_FREE: '100000000',
      THROTTLE_AUTH_LIMIT: '100000',
      DATA_DIR: dataDir,
    },
  });
  const base = `http://127.0.0.1:${port}/api`;
  try {
    await waitForHttp(`${base}/health`, service);
    const auth = await call(`${base}/auth/register`, {
      method: 'POST',
      body: { username: 'history', email: 'history@example.com', password: 'bench-password' },
    });
    const token = auth.access_token;
    const session = await call(`${base}/sessions`, { method: 'POST', token, body: { title: 'History' } });
    const files = `${base}/sessions/${session.id}/sandbox/files`;
    const page = (/** @type {number} */ n) => `<!doctype html><h1>Version ${n}</h1>\n${'<p>lorem ipsum dolor sit amet</p>\n'.repeat(60)}`;
    for (let i = 0; i < 20; i++) {
      await call(`${files}/${i === 0 ? 'index.html' : `page-${i}.html`}`, { method: 'POST', token, body: { content: page(i) } });
    }
    const before = {
      listing: await measure(files, token),
      file: await measure(`${files}/index.html`, token),
    };
    log(`20 versions:    listing ${before.listing.rps.toFixed(0)} req/s, file ${before.file.rps.toFixed(0)} req/s`);
    const t0 = Date.now();
    for (let n = 0; n < VERSIONS; n++) {
      if (n % 100 === 99) {
        await call(`${base}/sessions/${session.id}/versions/${20 + n - 50}/restore`, { method: 'POST', token });
      } else {
        await call(`${files}/page-${1 + (n % 19)}.html`, { method: 'POST', token, body: { content: page(100 + n) } });
      }
    }
    const writeMs = (Date.now() - t0) / VERSIONS;
    const head = (await call(`${base}/sessions/${session.id}/versions?limit=1`, { token }))[0].version;
    const after = {
      listing: await measure(files, token),
      file: await measure(`${files}/index.html`, token),
    };
    log(`${head} versions: listing ${after.listing.rps.toFixed(0)} req/s, file ${after.file.rps.toFixed(0)} req/s`);
    const result = {
      at: new Date().toISOString(),
      versions_after: head,
      ms_per_versioned_write_or_restore: writeMs,
      before,
      after,
      listing_rps_ratio_after_vs_before: after.listing.rps / before.listing.rps,
      file_rps_ratio_after_vs_before: after.file.rps / before.file.rps,
    };
    mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
    writeFileSync(join(ROOT, 'bench', 'results', 'history-growth.json'), `${JSON.stringify(result, null, 2)}\n`);
    log(`ratio after/before: listing ${result.listing_rps_ratio_after_vs_before.toFixed(2)}, file ${result.file_rps_ratio_after_vs_before.toFixed(2)}; ${writeMs.toFixed(1)} ms per versioned write`);
  } finally {
    await service.stop();
    await db.stop();
  }
}

main().catch((err) => {
  console.error(err);
  killAllChildrenSync();
  process.exit(1);
});
