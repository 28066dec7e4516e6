import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * One piece of a streamed answer: text, reasoning, or a piece of a tool call. A call piece without
 * `index` is sent without the field, as Gemini's OpenAI-compatible endpoint does.
 */
export type Piece =
  | { text: string }
  /** DeepSeek streams `delta.reasoning_content`; vLLM's reasoning parsers and OpenRouter `delta.reasoning`. */
  | { reasoning: string; field?: 'reasoning_content' | 'reasoning' }
  | { index?: number; id?: string; name?: string; args?: string };

const isCallPiece = (p: Piece): p is Extract<Piece, { args?: string }> =>
  !('text' in p) && !('reasoning' in p);

export type Reply =
  /** A streamed answer, `delayMs` between chunks; `stallAfter` stops sending (without closing) after that many. */
  | {
      kind: 'stream';
      pieces: Piece[];
      delayMs?: number;
      stallAfter?: number;
      /** Closes the connection (no `[DONE]`, no finish_reason) after that many chunks: a dropped stream. */
      dropAfter?: number;
      /** null: no usage chunk at all, as servers that ignore `stream_options.include_usage`. */
      usage?: [number, number] | null;
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

/** The sandbox state the agent appends to the last message of every request (issue 19). */
const ENVIRONMENT = /\n*<environment_details>[\s\S]*?<\/environment_details>\s*$/;

/** Whether a message carries the sandbox state block. */
export const hasEnvironment = (m: { content?: unknown }): boolean =>
  typeof m.content === 'string' && ENVIRONMENT.test(m.content);

/** A message's text without the sandbox state block. */
export const withoutEnvironment = (content: string): string => content.replace(ENVIRONMENT, '');

/** The newest message the user wrote, without the sandbox state appended to it. */
export function lastUserText(body: any): string | undefined {
  const messages = body.messages as { role: string; content: string }[];
  const last = messages.filter((m) => m.role === 'user').at(-1)?.content;
  return last === undefined ? undefined : withoutEnvironment(last);
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
    const usesTools = reply.pieces.some(isCallPiece);
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
    if (reply.usage !== null) {
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
    }
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
  if ('reasoning' in p) {
    return { role: 'assistant', content: null, [p.field ?? 'reasoning_content']: p.reasoning };
  }
  const call: Record<string, unknown> = p.index === undefined ? {} : { index: p.index };
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

/**
 * Tool calls as Gemini's OpenAI-compatible endpoint streams them: each call whole in one chunk with its
 * id and no `index` (https://github.com/THU-MAIC/OpenMAIC/issues/1556 shows a measured chunk;
 * https://github.com/AstrBotDevs/AstrBot/issues/6661), finish_reason "stop" even for tool calls
 * (https://github.com/googleapis/python-genai/issues/2868).
 */
export function geminiCalls(calls: ToolCallSpec[]): Piece[] {
  return calls.map((c, i) => ({
    id: c.id ?? `function-call-${i}`,
    name: c.name,
    args: typeof c.args === 'string' ? c.args : JSON.stringify(c.args),
  }));
}

/**
 * Several calls all at `index: 0`, told apart only by their ids (seen from proxies converting Gemini
 * responses: https://github.com/QuantumNous/new-api/pull/2701).
 */
export function sameIndexCalls(calls: ToolCallSpec[], argPieces = 2): Piece[] {
  return callTools(calls, argPieces).map((p) => (isCallPiece(p) ? { ...p, index: 0 } : p));
}

/** Error answers as each server sends them, with where the shape comes from. */
export const providerErrors = {
  /**
   * OpenAI o-series / gpt-5 on `max_tokens` (body quoted in e.g.
   * https://github.com/griptape-ai/ComfyUI-Griptape/issues/312 and
   * https://github.com/ITSpecialist111/ai_automation_suggester/issues/38).
   */
  openAiMaxTokens: (): Reply => ({
    kind: 'status',
    status: 400,
    body: {
      error: {
        message:
          "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
        type: 'invalid_request_error',
        param: 'max_tokens',
        code: 'unsupported_parameter',
      },
    },
  }),
  /**
   * llama.cpp's server (tools/server: `exceed_context_size_error`, with `n_prompt_tokens` and `n_ctx`);
   * 400, and 500 in some builds.
   */
  llamaCppContext: (nPrompt: number, nCtx: number, status = 400): Reply => ({
    kind: 'status',
    status,
    body: {
      error: {
        code: status,
        message: `request (${nPrompt} tokens) exceeds the available context size (${nCtx} tokens), try increasing it`,
        type: 'exceed_context_size_error',
        n_prompt_tokens: nPrompt,
        n_ctx: nCtx,
      },
    },
  }),
  /**
   * vLLM's OpenAI server (serving_engine's input validation), in its older top-level error shape
   * `{"object": "error", "message", "type": "BadRequestError", "param", "code"}`.
   */
  vllmContext: (max: number, prompt: number, completion: number): Reply => ({
    kind: 'status',
    status: 400,
    body: {
      object: 'error',
      message:
        `This model's maximum context length is ${max} tokens. However, you requested ` +
        `${prompt + completion} tokens (${prompt} in the messages, ${completion} in the completion). ` +
        'Please reduce the length of the messages or completion.',
      type: 'BadRequestError',
      param: null,
      code: 400,
    },
  }),
  /** Ollama's OpenAI layer: "the input length exceeds the context length", no sizes. */
  ollamaContext: (): Reply => ({
    kind: 'status',
    status: 400,
    body: {
      error: {
        message: 'the input length exceeds the context length',
        type: 'invalid_request_error',
        param: null,
        code: null,
      },
    },
  }),
  /**
   * DeepSeek's thinking mode when an assistant message that made tool calls comes back without its
   * `reasoning_content` (https://api-docs.deepseek.com/guides/thinking_mode: "If your code does not
   * correctly pass back reasoning_content, the API will return a 400 error").
   */
  deepSeekMissingReasoning: (): Reply => ({
    kind: 'status',
    status: 400,
    body: {
      error: {
        message:
          'Missing `reasoning_content` field in the assistant message at message index 2. For more information, please refer to https://api-docs.deepseek.com/guides/thinking_mode#tool-calls',
        type: 'invalid_request_error',
        param: null,
        code: 'invalid_request_error',
      },
    },
  }),
};
