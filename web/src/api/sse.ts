import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { authHeaders, checked } from './client';
import { decodeTurnEvent, type SseEvent, type TurnEvent } from './events';

/**
 * Reads a `text/event-stream` answer (a streamed turn's POST, or `latest/events`) with fetch, since
 * EventSource can neither POST nor send the Authorization header. Calls `onEvent` for each named event
 * until the stream ends or `signal` aborts; resolves when it ends.
 */
export async function readEventStream(
  url: string,
  init: { method?: 'GET' | 'POST'; body?: unknown; signal?: AbortSignal },
  onEvent: (event: SseEvent) => void,
): Promise<void> {
  const response = await checked(
    await fetch(url, {
      method: init.method ?? 'GET',
      headers: authHeaders({
        Accept: 'text/event-stream',
        ...(init.body === undefined ? {} : { 'Content-Type': 'application/json' }),
      }),
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: init.signal,
    }),
  );
  if (!response.body) {
    return;
  }
  const parser = createParser({
    onEvent(message: EventSourceMessage) {
      let data: unknown = message.data;
      try {
        data = JSON.parse(message.data);
      } catch {
        // keep the raw text
      }
      onEvent({ event: message.event ?? 'message', data });
    },
  });
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) {
      return;
    }
    parser.feed(value);
  }
}

/** Reads a turn's event stream, passing on each event the console knows, typed. */
export function readTurnEvents(
  url: string,
  init: Parameters<typeof readEventStream>[1],
  onEvent: (event: TurnEvent) => void,
): Promise<void> {
  return readEventStream(url, init, (raw) => {
    const event = decodeTurnEvent(raw);
    if (event) {
      onEvent(event);
    }
  });
}
