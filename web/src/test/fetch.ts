import { vi } from 'vitest';

/** A recorded call of the stubbed fetch. */
export interface Call {
  url: string;
  method: string;
  headers: Headers;
  body: unknown;
}

type Reply = Response | ((call: Call) => Response | Promise<Response>);

/**
 * Stubs `fetch` with replies in order (the last one repeats), recording each call: the tests run
 * with no network, and assert on what the console sent as well as on what it did with the answer.
 */
export function stubFetch(...replies: Reply[]): Call[] {
  const calls: Call[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
      const url = input instanceof Request ? input.url : String(input);
      const call: Call = {
        url,
        method: init.method ?? (input instanceof Request ? input.method : 'GET'),
        headers: new Headers(init.headers ?? (input instanceof Request ? input.headers : {})),
        body: init.body,
      };
      calls.push(call);
      const reply = replies[Math.min(calls.length - 1, replies.length - 1)];
      return typeof reply === 'function' ? reply(call) : reply.clone();
    }),
  );
  return calls;
}

export const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  });

/** A `text/event-stream` body the test writes to event by event, then ends. */
export function eventStream() {
  const encoder = new TextEncoder();
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
  });
  return {
    response: new Response(body, { headers: { 'Content-Type': 'text/event-stream' } }),
    send(event: string, data: unknown) {
      controller.enqueue(encoder.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`));
    },
    end() {
      controller.close();
    },
  };
}
