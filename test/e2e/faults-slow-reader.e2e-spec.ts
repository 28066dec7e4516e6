import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually, llmEnv } from '../support/agent-helpers.js';
import { createSession, registerUser, type TestUser } from '../support/factories.js';
import { FakeOpenAi, streamed, type Piece } from '../support/fake-openai.js';
import { startTestProcess, type TestProcess } from '../support/test-app.js';

const MiB = 1024 * 1024;
/** Small enough that the stalled reader is given up once the kernel's socket buffers are full. */
const CAP = 32 * 1024;

/** The service's resident memory, from the kernel. */
function rssBytes(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
  } catch {
    // The process is gone (the test is being torn down): nothing to sample.
    return 0;
  }
}

/** A model answer of `n` text pieces of `size` characters each, sent as fast as the socket takes them. */
const manyDeltas = (n: number, size: number): Piece[] =>
  Array.from({ length: n }, (_, i) => ({ text: String(i % 10).repeat(size) }));

/**
 * POSTs a streamed message over a raw socket and reads nothing: the socket is never put in flowing
 * mode, so after Node's own 16 KiB the kernel's buffers fill and the service's writes back up.
 */
function stalledStream(t: TestProcess, token: string, sessionId: string): Socket {
  const { port } = new URL(t.baseUrl);
  const body = JSON.stringify({ content: 'Write a lot', stream: true });
  const socket = connect(Number(port), '127.0.0.1');
  socket.write(
    `POST /api/sessions/${sessionId}/messages HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
      `Authorization: Bearer ${token}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  return socket;
}

/** Reads the rest of the socket until the server closes it; the SSE events found in the body. */
function readToEnd(socket: Socket): Promise<{ event: string; data: any }[]> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    const done = () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const events = [...text.matchAll(/event: (\w+)\ndata: (.*)\n\n/g)].map((m) => ({
        event: m[1],
        data: JSON.parse(m[2]),
      }));
      resolve(events);
    };
    socket.on('close', done);
    socket.on('error', () => undefined);
    socket.resume();
  });
}

async function assistantOf(t: TestProcess, token: string, sessionId: string) {
  return eventually(
    async () => {
      const res = await t.http.get(`/api/sessions/${sessionId}/messages`, { token });
      const last = res.body.at(-1);
      return last?.role === 'assistant' && last.status !== 'running' ? last : undefined;
    },
    120_000,
    'the run to be stored',
  );
}

interface SlowReaderApp {
  fake: FakeOpenAi;
  t: TestProcess;
  user: TestUser;
}

/** The service with `env` and a scripted model, for the tests of one describe block. */
function useApp(env: Record<string, string>): SlowReaderApp {
  const app = { fake: new FakeOpenAi(() => streamed(manyDeltas(10, 1))) } as SlowReaderApp;
  beforeAll(async () => {
    await app.fake.start();
    app.t = await startTestProcess(llmEnv(app.fake, env));
    app.user = await registerUser(app.t.http);
  });
  afterAll(async () => {
    await app.t.close();
    await app.fake.close();
  });
  return app;
}

describe('faults: a slow SSE reader (given up)', () => {
  const app = useApp({ SSE_MAX_BUFFERED_BYTES: String(CAP) });

  it('keeps memory bounded while a reader takes nothing, answers others, and stores the run', async () => {
    const { fake, t, user } = app;
    const sessionId = await createSession(t.http, user.token);
    const pieces = 250_000;
    const size = 8;
    fake.scriptFromNow(() => streamed(manyDeltas(pieces, size)));
    const pid = t.process.pid!;
    const baseline = rssBytes(pid);
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, rssBytes(pid))), 50);

    const socket = stalledStream(t, user.token, sessionId);
    // Other requests answer while the run streams into a full socket.
    const answers: number[] = [];
    let slowest = 0;
    let message: any;
    try {
      for (;;) {
        const started = Date.now();
        const res = await t.http.get(`/api/sessions/${sessionId}/messages`, { token: user.token });
        slowest = Math.max(slowest, Date.now() - started);
        answers.push(res.status);
        const last = res.body.at(-1);
        if (last?.role === 'assistant' && last.status !== 'running') {
          message = last;
          break;
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    } finally {
      clearInterval(sampler);
    }
    const growth = peak - baseline;
    console.log(
      `slow reader: ${pieces} deltas (${(pieces * size) / MiB} MiB of text); RSS ${(baseline / MiB).toFixed(0)} → ` +
        `peak ${(peak / MiB).toFixed(0)} MiB (+${(growth / MiB).toFixed(1)}); ${answers.length} other requests, ` +
        `slowest ${slowest} ms`,
    );

    expect(answers.every((s) => s === 200)).toBe(true);
    expect(message.status).toBe('completed');
    expect(message.content).toBe(
      manyDeltas(pieces, size)
        .map((p) => (p as { text: string }).text)
        .join(''),
    );
    // Buffering every frame the reader missed grew RSS by ~650 bytes a delta (+132 MiB for 200 000);
    // coalesced, the growth is the run's own garbage, collected as it goes (~50 MiB).
    expect(growth).toBeLessThan(100 * MiB);

    // The stream was given up: what the reader finally gets ends without `done`, and the socket closes.
    const events = await readToEnd(socket);
    expect(events[0].event).toBe('user_message');
    expect(events.some((e) => e.event === 'done')).toBe(false);
    const last = events.at(-1)!;
    if (last.event === 'error') {
      expect(last.data.detail).toMatch(/too slowly/);
    }
  }, 180_000);
});

describe('faults: a slow SSE reader (served)', () => {
  const app = useApp({});

  it('coalesces what a late reader missed: every character arrives once, then done', async () => {
    const { fake, t, user } = app;
    const sessionId = await createSession(t.http, user.token);
    const pieces = 150_000;
    fake.scriptFromNow(() => streamed(manyDeltas(pieces, 1)));
    const socket = stalledStream(t, user.token, sessionId);
    const message = await assistantOf(t, user.token, sessionId);
    expect(message.status).toBe('completed');
    const events = await readToEnd(socket);
    const deltas = events.filter((e) => e.event === 'delta');
    console.log(
      `late reader: ${pieces} deltas emitted, ${deltas.length} delivered after coalescing`,
    );
    expect(deltas.map((e) => e.data.content).join('')).toBe(message.content);
    expect(deltas.length).toBeLessThan(pieces);
    expect(events.at(-1)).toEqual({ event: 'done', data: message });
  }, 180_000);
});
