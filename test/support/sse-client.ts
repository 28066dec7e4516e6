export interface SseEvent {
  event: string;
  data: any;
}

export interface SseReader {
  status: number;
  headers: Headers;
  /** Every event and heartbeat comment seen so far. */
  events: SseEvent[];
  comments: string[];
  /** Waits for the next event (or the end of the stream: null). */
  next(): Promise<SseEvent | null>;
  /** Reads to the end of the stream. */
  all(): Promise<SseEvent[]>;
  /** Drops the connection, as a client that goes away. */
  abort(): void;
}

/** POSTs and reads a `text/event-stream` answer through real HTTP, event by event. */
export function openSse(url: string, token: string, body: unknown): Promise<SseReader> {
  return read(url, token, { method: 'POST', body: JSON.stringify(body) });
}

/** GETs a `text/event-stream` (the events of a running turn). */
export function openSseGet(url: string, token: string): Promise<SseReader> {
  return read(url, token, { method: 'GET' });
}

async function read(
  url: string,
  token: string,
  init: { method: string; body?: string },
): Promise<SseReader> {
  const controller = new AbortController();
  const res = await fetch(url, {
    ...init,
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      accept: 'text/event-stream',
    },
    signal: controller.signal,
  });
  const events: SseEvent[] = [];
  const comments: string[] = [];
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let ended = false;
  const pending: SseEvent[] = [];

  const parseBlocks = () => {
    let at: number;
    while ((at = buffer.indexOf('\n\n')) !== -1) {
      const block = buffer.slice(0, at);
      buffer = buffer.slice(at + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) {
          comments.push(line.slice(1).trim());
        } else if (line.startsWith('event:')) {
          event = line.slice(6).trim();
        } else if (line.startsWith('data:')) {
          data.push(line.slice(5).trimStart());
        }
      }
      if (data.length) {
        const e = { event, data: JSON.parse(data.join('\n')) };
        events.push(e);
        pending.push(e);
      }
    }
  };

  const next = async (): Promise<SseEvent | null> => {
    while (pending.length === 0 && !ended) {
      try {
        const { value, done } = await reader.read();
        if (done) {
          ended = true;
        } else {
          buffer += decoder.decode(value, { stream: true });
          parseBlocks();
        }
      } catch {
        ended = true;
      }
    }
    return pending.shift() ?? null;
  };

  return {
    status: res.status,
    headers: res.headers,
    events,
    comments,
    next,
    all: async () => {
      while ((await next()) !== null) {
        // drain
      }
      return events;
    },
    abort: () => controller.abort(),
  };
}
