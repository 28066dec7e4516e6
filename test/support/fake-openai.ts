import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One piece of a streamed answer: text, or a piece of tool call number `index`. */
export type Piece = { text: string } | { index: number; id?: string; name?: string; args?: string };

export type Reply =
  /** A streamed answer, `delayMs` between chunks; `stallAfter` stops sending (without closing) after that many. */
  | {
      kind: 'stream';
      pieces: Piece[];
      delayMs?: number;
      stallAfter?: number;
      /** Closes the connection (no `[DONE]`, no finish_reason) after that many chunks: a dropped stream. */
      dropAfter?: number;
      usage?: [number, number];
      /** The finish_reason of the last choice chunk (default: `tool_calls` or `stop`). */
      finishReason?: string;
    }
  | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
  /** Takes the request and never answers. */
  | { kind: 'hang' };

export interface ToolCallSpec {
  name: string;
  /** An object is sent as JSON; a string is sent as it is (for malformed arguments). */
  args: Record<string, unknown> | string;
  id?: string;
}

/** Splits `s` into `n` roughly equal pieces (at least one). */
function split(s: string, n: number): string[] {
  const size = Math.max(1, Math.ceil(s.length / Math.max(1, n)));
  const out: string[] = [];
  for (let i = 0; i < s.length; i += size) {
    out.push(s.slice(i, i + size));
  }
  return out.length ? out : [''];
}

export const say = (text: string, pieces = 3): Piece[] =>
  split(text, pieces).map((t) => ({ text: t }));

/** Tool calls as a provider streams them: id and name first, then the arguments split across chunks. */
export function callTools(calls: ToolCallSpec[], argPieces = 4, startIndex = 0): Piece[] {
  return calls.flatMap((c, i) => {
    const index = startIndex + i;
    const args = typeof c.args === 'string' ? c.args : JSON.stringify(c.args);
    return [
      {
        index,
        id: c.id ?? `call_${Math.random().toString(36).slice(2, 10)}`,
        name: c.name,
        args: '',
      },
      ...split(args, argPieces).map((a) => ({ index, args: a })),
    ];
  });
}

export const streamed = (
  pieces: Piece[],
  extra: Partial<Extract<Reply, { kind: 'stream' }>> = {},
): Reply => ({
  kind: 'stream',
  pieces,
  ...extra,
});

/** The sandbox listing the agent sends as the last message of every request. */
export const isSandboxListing = (m: { role: string; content?: unknown }): boolean =>
  m.role === 'user' && typeof m.content === 'string' && m.content.startsWith('(Sandbox state');

/** The newest message the user wrote (not the sandbox listing that follows it). */
export function lastUserText(body: any): string | undefined {
  const messages = body.messages as { role: string; content: string }[];
  return messages.filter((m) => m.role === 'user' && !isSandboxListing(m)).at(-1)?.content;
}

export interface RecordedRequest {
  body: any;
  headers: IncomingMessage['headers'];
  at: number;
}

/**
 * A scripted OpenAI-compatible Chat Completions server over real HTTP: real SSE chunks, tool-call
 * deltas split across chunks, usage in the last chunk. `script(request, n)` picks the n-th reply.
 */
export class FakeOpenAi {
  readonly requests: RecordedRequest[] = [];
  /** When each chunk was written (ms since epoch), per request. */
  readonly chunkTimes: number[][] = [];
  private server?: Server;
  private readonly open = new Set<ServerResponse>();

  constructor(public script: (req: RecordedRequest, n: number) => Reply) {}

  /** From now on, reply by `reply(k)` where k counts the requests made from this moment (0, 1, …). */
  scriptFromNow(reply: (k: number) => Reply): void {
    const offset = this.requests.length;
    this.script = (_req, n) => reply(n - offset);
  }

  /** Replies in order from a list; past its end, a plain text answer. */
  static sequence(replies: Reply[]): FakeOpenAi {
    return new FakeOpenAi((_req, n) => replies[n] ?? streamed(say('Done.')));
  }

  get baseUrl(): string {
    const { port } = this.server!.address() as AddressInfo;
    return `http://127.0.0.1:${port}/v1`;
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    return this.baseUrl;
  }

  async close(): Promise<void> {
    for (const res of this.open) {
      res.destroy();
    }
    this.server?.closeAllConnections();
    await new Promise((r) => this.server?.close(r));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let raw = '';
    for await (const chunk of req) {
      raw += chunk;
    }
    if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end('{"error":{"message":"not found"}}');
      return;
    }
    const recorded: RecordedRequest = {
      body: JSON.parse(raw),
      headers: req.headers,
      at: Date.now(),
    };
    const n = this.requests.push(recorded) - 1;
    const times: number[] = [];
    this.chunkTimes[n] = times;
    const reply = this.script(recorded, n);
    this.open.add(res);
    res.on('close', () => this.open.delete(res));
    switch (reply.kind) {
      case 'hang':
        return;
      case 'status':
        res
          .writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers })
          .end(
            JSON.stringify(
              reply.body ?? { error: { message: 'scripted failure', type: 'server_error' } },
            ),
          );
        return;
      case 'stream':
        await this.stream(res, reply, recorded.body.model as string, times);
    }
  }

  private async stream(
    res: ServerResponse,
    reply: Extract<Reply, { kind: 'stream' }>,
    model: string,
    times: number[],
  ): Promise<void> {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const base = {
      id: 'chatcmpl-fake',
      object: 'chat.completion.chunk',
      created: Math.floor(Date.now() / 1000),
      model,
    };
    const chunks: unknown[] = reply.pieces.map((p) => ({
      ...base,
      choices: [{ index: 0, delta: toDelta(p), finish_reason: null }],
    }));
    const usesTools = reply.pieces.some((p) => 'index' in p);
    chunks.push({
      ...base,
      choices: [
        {
          index: 0,
          delta: {},
          finish_reason: reply.finishReason ?? (usesTools ? 'tool_calls' : 'stop'),
        },
      ],
    });
    const [prompt, completion] = reply.usage ?? [100, 20];
    chunks.push({
      ...base,
      choices: [],
      usage: {
        prompt_tokens: prompt,
        completion_tokens: completion,
        total_tokens: prompt + completion,
      },
    });
    for (const [i, chunk] of chunks.entries()) {
      if (reply.stallAfter !== undefined && i >= reply.stallAfter) {
        return;
      }
      if (reply.dropAfter !== undefined && i >= reply.dropAfter) {
        res.destroy();
        return;
      }
      if (res.destroyed) {
        return;
      }
      if (reply.delayMs && i > 0) {
        await new Promise((r) => setTimeout(r, reply.delayMs));
      }
      times.push(Date.now());
      res.write(`data: ${JSON.stringify(chunk)}\n\n`);
    }
    res.end('data: [DONE]\n\n');
  }
}

function toDelta(p: Piece): Record<string, unknown> {
  if ('text' in p) {
    return { content: p.text };
  }
  const call: Record<string, unknown> = { index: p.index };
  if (p.id) {
    call.id = p.id;
    call.type = 'function';
  }
  const fn: Record<string, string> = {};
  if (p.name) {
    fn.name = p.name;
  }
  if (p.args !== undefined) {
    fn.arguments = p.args;
  }
  call.function = fn;
  return { role: 'assistant', tool_calls: [call] };
}
