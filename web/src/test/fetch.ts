/** A recorded call of the stubbed fetch. */
export interface Call {
  url: string;
  method: string;
  headers: Headers;
  body: unknown;
}

type Reply = Response | ((call: Call) => Response | Promise<Response>);
type Handler = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;

const urlOf = (input: RequestInfo | URL): string =>
  typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;

const offline: Handler = (input) =>
  Promise.reject(new Error(`unit tests have no network: stub fetch for ${urlOf(input)}`));
let handler: Handler = offline;

/**
 * Installed once by the setup file, before any module captures `fetch` (the typed client takes it
 * when it is created): every request goes to the current test's stub, or fails.
 */
export function installFetch(): void {
  globalThis.fetch = (input, init) => handler(input, init);
}

/** Back to "no network" (between tests). */
export function resetFetch(): void {
  handler = offline;
}

/**
 * Stubs `fetch` with replies in order (the last one repeats), recording each call: the tests run
 * with no network, and assert on what the console sent as well as on what it did with the answer.
 */
export function stubFetch(...replies: Reply[]): Call[] {
  const calls: Call[] = [];
  handler = async (input, init = {}) => {
    const request = input instanceof Request ? input : null;
    const call: Call = {
      url: urlOf(input),
      method: init.method ?? request?.method ?? 'GET',
      headers: new Headers(init.headers ?? request?.headers ?? {}),
      body: init.body ?? (request ? await request.clone().text() : undefined),
    };
    calls.push(call);
    const reply = replies[Math.min(calls.length - 1, replies.length - 1)];
    return typeof reply === 'function' ? reply(call) : reply.clone();
  };
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
