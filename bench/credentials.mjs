// @ts-check
/**
 * `npm run build && node bench/credentials.mjs`: what each kind of bearer credential costs per request.
 * Starts the service (its own embedded PostgreSQL in a temporary DATA_DIR) with corporate identity
 * pointed at a JWKS server in this process, then runs bench/load.mjs (autocannon, its own process)
 * against `GET /api/models` (the guard and little else) and `GET /api/auth/me` (the guard plus the
 * caps' queries) with: our HS256 access token, an API key, an IdP RS256 token, an IdP ES256 token.
 * Each combination runs BENCH_ROUNDS times, interleaved (a round measures every combination once), and
 * the median is reported, so a burst of load from elsewhere on the machine does not pick one winner.
 * Knobs: BENCH_DURATION (s, 8), BENCH_WARMUP (s, 2), BENCH_CONNECTIONS (10), BENCH_ROUNDS (3).
 */
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { freePort, sleep } from './lib/procs.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const env = process.env;
const durationSec = Number(env.BENCH_DURATION ?? 8);
const warmupSec = Number(env.BENCH_WARMUP ?? 2);
const connections = Number(env.BENCH_CONNECTIONS ?? 10);
const rounds = Number(env.BENCH_ROUNDS ?? 3);
const median = (/** @type {number[]} */ xs) =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const rsa = await generateKeyPair('RS256', { extractable: true });
const ec = await generateKeyPair('ES256', { extractable: true });
const keys = [
  { ...(await exportJWK(rsa.publicKey)), kid: 'r', alg: 'RS256' },
  { ...(await exportJWK(ec.publicKey)), kid: 'e', alg: 'ES256' },
];
const jwks = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ keys }));
});
await new Promise((r) => jwks.listen(0, '127.0.0.1', () => r(undefined)));
const jwksPort = /** @type {import('node:net').AddressInfo} */ (jwks.address()).port;

const port = await freePort();
const dataDir = mkdtempSync(join(tmpdir(), 'aeio-cred-bench-'));
const app = spawn(process.execPath, [join(ROOT, 'dist/main.js')], {
  env: {
    PATH: env.PATH,
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: String(port),
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    THROTTLE_LIMIT_FREE: '100000000',
    AUTH_JWKS_URL: `http://127.0.0.1:${jwksPort}/jwks`,
    AUTH_ISSUER: 'https://idp.bench/',
    AUTH_AUDIENCE: 'aeio',
  },
  stdio: ['ignore', 'ignore', 'inherit'],
});
const base = `http://127.0.0.1:${port}/api`;
try {
  for (let i = 0; ; i++) {
    const ok = await fetch(`${base}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (i > 600) throw new Error('the service did not start');
    await sleep(100);
  }
  const post = async (/** @type {string} */ path, /** @type {unknown} */ body, token = '') =>
    (
      await fetch(base + path, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify(body),
      })
    ).json();
  const reg = await post('/auth/register', {
    username: 'bench',
    email: 'bench@example.com',
    password: 'benchmark-pass',
  });
  const access = reg.access_token;
  const apiKey = (await post('/auth/api-keys', { name: 'bench' }, access)).key;
  const idp = (/** @type {any} */ k, /** @type {string} */ alg, /** @type {string} */ kid) =>
    new SignJWT({ sub: 'bench-idp', preferred_username: 'benchidp' })
      .setProtectedHeader({ alg, kid })
      .setIssuer('https://idp.bench/')
      .setAudience('aeio')
      .setExpirationTime('1h')
      .sign(k.privateKey);
  const credentials = {
    'access token (HS256)': access,
    'API key': apiKey,
    'IdP token (RS256)': await idp(rsa, 'RS256', 'r'),
    'IdP token (ES256)': await idp(ec, 'ES256', 'e'),
  };
  /** @type {Map<string, {rps: number[], p50: number[], p99: number[], non2xx: number}>} */
  const results = new Map();
  for (let round = 0; round < rounds; round++) {
    for (const path of ['/models', '/auth/me']) {
      for (const [label, token] of Object.entries(credentials)) {
        // A fresh connection: the one the last check left idle through a whole run was closed (keep-alive 5 s).
        const check = await fetch(base + path, {
          headers: { authorization: `Bearer ${token}` },
        }).catch(() => fetch(base + path, { headers: { authorization: `Bearer ${token}` } }));
        if (check.status !== 200) throw new Error(`${label} on ${path}: ${check.status}`);
        const out = execFileSync(process.execPath, [
          join(ROOT, 'bench/load.mjs'),
          JSON.stringify({
            mode: 'http',
            url: base + path,
            headers: { authorization: `Bearer ${token}` },
            connections,
            warmupSec,
            durationSec,
          }),
        ]).toString();
        const r = JSON.parse(out);
        const key = `GET /api${path}\t${label}`;
        const acc = results.get(key) ?? { rps: [], p50: [], p99: [], non2xx: 0 };
        acc.rps.push(r.rps);
        acc.p50.push(r.latency.p50);
        acc.p99.push(r.latency.p99);
        acc.non2xx += r.non2xx;
        results.set(key, acc);
      }
    }
  }
  const rows = [...results].map(([key, r]) => {
    const [route, credential] = key.split('\t');
    return {
      route,
      credential,
      rps: Math.round(median(r.rps)),
      p50: Number(median(r.p50).toFixed(2)),
      p99: Number(median(r.p99).toFixed(2)),
      non2xx: r.non2xx,
    };
  });
  console.table(rows);
} finally {
  app.kill('SIGTERM');
  await new Promise((r) => app.once('exit', r));
  jwks.close();
  rmSync(dataDir, { recursive: true, force: true });
}
