// @ts-check
/**
 * The load generator of `npm run bench`, always run as its own process (never inside the service, never
 * inside the orchestrator's event loop): `node bench/load.mjs '<json>'`. Prints one JSON result on stdout.
 *
 * Modes (the `mode` field of the argument):
 *   http        autocannon against one route: warm-up, then the measured run.
 *               { url, method?, headers?, body?, paths?: string[] (rotated per request), connections,
 *                 warmupSec, durationSec }
 *               → { rps, latency: { mean, p50, p90, p99, max } (ms, from every response), requests,
 *                   warmupRequests, non2xx, errors, timeouts, bytesPerResponse }
 *   sequential  N requests one after the other, wall time of each (login).
 *               { url, method, headers?, body?, n } → { ms: number[], statuses: number[] }
 *   agent       one non-streamed POST …/messages, its wall time.
 *               { url, token, content } → { status, start, end, wallMs, body }
 *   streams     many streamed POST …/messages at once; SSE parsed; per delta the end offset of its text
 *               in the answer and the time it was read (process.hrtime ms, CLOCK_MONOTONIC: the same
 *               clock the fake model server uses).
 *               { runs: [{ url, token, content }], recordDeltas, maxSockets }
 *               → { runs: [{ content, status, deltas?: [offset, t][], events, text, end, error? }] }
 */
// @ts-ignore -- autocannon ships no types
import autocannon from 'autocannon';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';

const now = () => Number(process.hrtime.bigint()) / 1e6;
// A long argument (hundreds of runs) comes as `@<file>`: one argv string is limited to 128 KiB.
const raw = process.argv[2] ?? '{}';
const arg = JSON.parse(raw.startsWith('@') ? readFileSync(raw.slice(1), 'utf8') : raw);

/**
 * Runs autocannon; `latencies`, when given, receives every response time in ms (autocannon's own
 * histogram keeps whole milliseconds only, too coarse for a floor answering in under 2 ms).
 * @param {any} opts @param {number[]} [latencies] @returns {Promise<any>}
 */
function cannon(opts, latencies) {
  return new Promise((resolve, reject) => {
    const instance = autocannon(opts, (/** @type {Error | null} */ err, /** @type {any} */ result) =>
      err ? reject(err) : resolve(result),
    );
    if (latencies) {
      instance.on('response', (/** @type {unknown} */ _client, /** @type {number} */ statusCode, /** @type {number} */ _bytes, /** @type {number} */ responseTime) => {
        if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
      });
    }
  });
}

/** @param {number[]} sorted @param {number} p */
const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];

async function httpMode() {
  /** @type {Record<string, any>} */
  const base = {
    url: arg.url,
    method: arg.method ?? 'GET',
    headers: arg.headers ?? {},
    body: arg.body,
    connections: arg.connections ?? 10,
    pipelining: 1,
    timeout: 10,
  };
  if (arg.paths?.length) {
    let i = 0;
    const paths = /** @type {string[]} */ (arg.paths);
    // One request definition whose path rotates, so the connections spread over the paths.
    base.requests = [
      {
        method: base.method,
        headers: base.headers,
        body: base.body,
        setupRequest: (/** @type {any} */ req) => ({ ...req, path: paths[i++ % paths.length] }),
      },
    ];
  }
  let warmupRequests = 0;
  if (arg.warmupSec > 0) {
    warmupRequests = (await cannon({ ...base, duration: arg.warmupSec })).requests.total;
  }
  /** @type {number[]} */
  const latencies = [];
  const r = await cannon({ ...base, duration: arg.durationSec }, latencies);
  const responses = r.requests.total || 1;
  latencies.sort((a, b) => a - b);
  return {
    rps: r.requests.total / (r.duration || arg.durationSec),
    rpsPerSecondAverage: r.requests.average,
    latency: {
      mean: latencies.reduce((a, b) => a + b, 0) / (latencies.length || 1),
      p50: pct(latencies, 50),
      p90: pct(latencies, 90),
      p99: pct(latencies, 99),
      max: latencies[latencies.length - 1],
    },
    autocannonLatency: r.latency,
    requests: r.requests.total,
    warmupRequests,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    bytesPerResponse: r.throughput.total / responses,
    durationSec: r.duration,
  };
}

/** One HTTP request with a JSON body; resolves with status and body text. */
function send(
  /** @type {string} */ url,
  /** @type {string} */ method,
  /** @type {Record<string, string>} */ headers,
  /** @type {string | undefined} */ body,
  /** @type {Agent | undefined} */ agent,
) {
  return /** @type {Promise<{ status: number, text: string }>} */ (
    new Promise((resolve, reject) => {
      const req = request(url, { method, headers, agent }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    })
  );
}

async function sequentialMode() {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const ms = [];
  const statuses = [];
  for (let i = 0; i < arg.n; i++) {
    const t0 = now();
    const r = await send(arg.url, arg.method, arg.headers ?? {}, arg.body, agent);
    ms.push(now() - t0);
    statuses.push(r.status);
  }
  agent.destroy();
  return { ms, statuses };
}

async function agentMode() {
  const agent = new Agent({ keepAlive: true });
  const body = JSON.stringify({ content: arg.content });
  const headers = {
    authorization: `Bearer ${arg.token}`,
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(body)),
  };
  const start = now();
  const r = await send(arg.url, 'POST', headers, body, agent);
  const end = now();
  agent.destroy();
  let parsed;
  try {
    parsed = JSON.parse(r.text);
  } catch {
    parsed = r.text;
  }
  return { status: r.status, start, end, wallMs: end - start, body: parsed };
}

/**
 * One streamed run: POST with stream:true, parse SSE as it arrives.
 * @param {{ url: string, token: string, content: string }} run
 * @param {Agent} agent
 * @param {boolean} recordDeltas
 */
function streamRun(run, agent, recordDeltas) {
  return new Promise((resolve) => {
    const body = JSON.stringify({ content: run.content, stream: true });
    /** @type {[number, number][] | undefined} */
    const deltas = recordDeltas ? [] : undefined;
    const out = {
      content: run.content,
      status: 0,
      events: /** @type {Record<string, number>} */ ({}),
      deltas,
      text: '',
      textLength: 0,
      start: now(),
      firstByte: 0,
      end: 0,
      finishReason: /** @type {string | null} */ (null),
      error: /** @type {string | undefined} */ (undefined),
    };
    let textLength = 0;
    let text = '';
    const req = request(
      run.url,
      {
        method: 'POST',
        agent,
        headers: {
          authorization: `Bearer ${run.token}`,
          'content-type': 'application/json',
          accept: 'text/event-stream',
          'content-length': String(Buffer.byteLength(body)),
        },
      },
      (res) => {
        out.status = res.statusCode ?? 0;
        res.setEncoding('utf8');
        let buffer = '';
        res.on('data', (/** @type {string} */ data) => {
          const t = now();
          if (!out.firstByte) out.firstByte = t;
          buffer += data;
          let at;
          while ((at = buffer.indexOf('\n\n')) !== -1) {
            const block = buffer.slice(0, at);
            buffer = buffer.slice(at + 2);
            let event = 'message';
            let payload = '';
            for (const line of block.split('\n')) {
              if (line.startsWith('event:')) event = line.slice(6).trim();
              else if (line.startsWith('data:')) payload += line.slice(5).trimStart();
            }
            if (block.startsWith(':')) continue;
            out.events[event] = (out.events[event] ?? 0) + 1;
            if (event === 'delta') {
              const content = JSON.parse(payload).content;
              textLength += content.length;
              if (recordDeltas) text += content;
              deltas?.push([textLength, t]);
            } else if (event === 'done') {
              out.finishReason = JSON.parse(payload).finish_reason ?? null;
            } else if (event === 'error') {
              out.error = payload;
            }
          }
        });
        res.on('end', () => {
          out.end = now();
          out.text = text;
          out.textLength = textLength;
          if (out.status !== 200 && !out.error) out.error = buffer.slice(0, 500);
          resolve(out);
        });
        res.on('error', (err) => {
          out.error = String(err);
          out.end = now();
          resolve(out);
        });
      },
    );
    req.on('error', (err) => {
      out.error = String(err);
      out.end = now();
      resolve(out);
    });
    req.end(body);
  });
}

async function streamsMode() {
  const agent = new Agent({ keepAlive: true, maxSockets: arg.maxSockets ?? 1024 });
  const runs = /** @type {{ url: string, token: string, content: string }[]} */ (arg.runs);
  const results = await Promise.all(runs.map((r) => streamRun(r, agent, Boolean(arg.recordDeltas))));
  agent.destroy();
  return { runs: results };
}

const modes = /** @type {Record<string, () => Promise<unknown>>} */ ({
  http: httpMode,
  sequential: sequentialMode,
  agent: agentMode,
  streams: streamsMode,
});

const run = modes[arg.mode];
if (!run) {
  console.error(`unknown mode ${arg.mode}`);
  process.exit(2);
}
run().then(
  (result) => {
    process.stdout.write(JSON.stringify(result));
    process.exit(0);
  },
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
