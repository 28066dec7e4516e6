import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';

/** One answer seen while a dependency was being broken and mended. */
export interface Sample {
  label: string;
  status: number;
  ms: number;
  body: unknown;
  at: number;
}

export type Step = () => { label: string; path: string; init?: RequestInit };

/**
 * Sends requests from `clients` concurrent loops until `stop()` is called; each loop cycles through
 * its steps. A request that gets no answer in `abortMs` is recorded with status 0, so a hang shows up
 * as a failure rather than as a stuck test.
 */
export function startLoad(baseUrl: string, clients: Step[][], abortMs = 10_000) {
  const samples: Sample[] = [];
  let running = true;
  const loops = clients.map(async (steps) => {
    for (let i = 0; running; i++) {
      const { label, path, init } = steps[i % steps.length]();
      const started = Date.now();
      let status = 0;
      let body: unknown;
      try {
        const res = await fetch(baseUrl + path, { ...init, signal: AbortSignal.timeout(abortMs) });
        status = res.status;
        const text = await res.text();
        body = (res.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : text;
      } catch (err) {
        body = String(err);
      }
      samples.push({ label, status, ms: Date.now() - started, body, at: started });
      // A breath between requests, so the loops measure the service rather than saturate 2 cores.
      await new Promise((r) => setTimeout(r, 20));
    }
  });
  return {
    samples,
    stop: async () => {
      running = false;
      await Promise.all(loops);
    },
  };
}

/** Counts samples by status, e.g. `{ "200": 512, "503": 80 }`. */
export function byStatus(samples: Sample[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const s of samples) {
    counts[s.status] = (counts[s.status] ?? 0) + 1;
  }
  return counts;
}

/** One line per sample, for short failure messages. */
/** What a fault suite reports: the samples taken while the dependency was down, and the slowest answer. */
export function outageFigures(samples: Sample[], downAt: number, upAt: number) {
  return {
    outage: samples.filter((s) => s.at >= downAt && s.at < upAt),
    slowest: Math.max(...samples.map((s) => s.ms)),
  };
}

export const describeSample = (s: Sample) =>
  `${s.label} → ${s.status} in ${s.ms} ms: ${JSON.stringify(s.body).slice(0, 120)}`;

export const bearer = (token: string): RequestInit => ({
  headers: { authorization: `Bearer ${token}` },
});

export const jsonPost = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A redis-server of the test's own on `port` (never the shared one), without persistence. */
export async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn(
    '/usr/bin/redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1')
        .once('connect', () => {
          socket.destroy();
          resolve(true);
        })
        .once('error', () => resolve(false));
    });
    if (open) {
      return child;
    }
    await sleep(50);
  }
  child.kill('SIGKILL');
  throw new Error(`redis-server did not listen on ${port}`);
}

/** SIGKILL, as a crash or a lost node would end it, and wait until it is gone. */
export async function killHard(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return;
  }
  const gone = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await gone;
}
