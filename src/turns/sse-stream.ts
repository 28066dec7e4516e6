import type { ServerResponse } from 'node:http';
import { rawResponse } from '../common/http/raw-response.js';
import type { RunEvent } from '../agent/run/run-events.js';

export interface SseOptions {
  /** Interval of the keep-alive comment. */
  heartbeatMs?: number;
  /** Bytes a reader may leave unread (socket buffer plus held events) before the stream is closed. */
  maxBufferedBytes?: number;
}

/** After giving up on a slow reader, how long its final `error` may take to get out before the socket goes. */
const GIVE_UP_GRACE_MS = 5_000;
/** A finished run whose last events a reader does not take within this long is dropped with its socket. */
const FINISHED_GRACE_MS = 30_000;

interface Held {
  event: RunEvent;
  bytes: number;
}

const frame = (e: RunEvent) => `event: ${e.event}\ndata: ${JSON.stringify(e.data)}\n\n`;
const isEnd = (e: RunEvent) => e.event === 'done' || e.event === 'error';

/**
 * Writes run events as Server-Sent Events: `event: <name>` and the bare JSON as `data:`. Headers go out
 * with the first event, so an error before the run starts is still a plain JSON response. A comment line
 * every `heartbeatMs` keeps gateways from closing a quiet connection. A client that goes away only stops
 * the writing, never the run.
 *
 * Back-pressure: once `res.write` says the socket is full, events are held until `drain`, coalesced so a
 * slow reader costs memory in proportion to what changed, not to how long it lags: a step keeps only its
 * latest state, consecutive deltas are joined into one. Past `maxBufferedBytes` the reader is given up:
 * a final `error` is written if it can still get out, and the stream closes. The run never waits.
 */
export class SseStream {
  private started = false;
  private closed = false;
  private blocked = false;
  private held: Held[] = [];
  private heldBytes = 0;
  private heartbeat?: NodeJS.Timeout;
  private readonly closeHandlers: (() => void)[] = [];
  private readonly heartbeatMs: number;
  private readonly maxBufferedBytes: number;
  /** Written directly on the Node response, for back-pressure (`write()` → false, then `drain`). */
  private readonly res: ServerResponse;
  private readonly take: () => void;

  /** `response` is the handler's `@Res()` (a Fastify reply). */
  constructor(response: object, options: SseOptions = {}) {
    const { raw, take } = rawResponse(response);
    this.res = raw;
    this.take = take;
    const res = raw;
    this.heartbeatMs = options.heartbeatMs ?? 15_000;
    this.maxBufferedBytes = options.maxBufferedBytes ?? 1024 * 1024;
    res.on('close', () => this.stop());
    res.on('drain', () => this.flush());
  }

  send(e: RunEvent): void {
    if (this.closed) {
      return;
    }
    if (!this.started) {
      this.start();
    }
    if (this.blocked) {
      this.hold(e);
    } else {
      this.write(e);
    }
  }

  /**
   * Sends the headers now, when nothing can fail any more but the first event may be far off (a follower
   * joining a turn that has no step yet): the client knows at once that it is following.
   */
  open(): void {
    if (!this.started && !this.closed) {
      this.start();
    }
  }

  /** Runs when the stream ends, by the client going away or by `done`/`error`. */
  onClose(handler: () => void): void {
    if (this.closed) {
      handler();
    } else {
      this.closeHandlers.push(handler);
    }
  }

  private start(): void {
    this.started = true;
    this.take();
    this.res.statusCode = 200;
    this.res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    this.res.setHeader('Cache-Control', 'no-cache, no-transform');
    this.res.setHeader('Connection', 'keep-alive');
    this.res.setHeader('X-Accel-Buffering', 'no');
    this.res.flushHeaders();
    this.heartbeat = setInterval(() => {
      // A reader that is behind needs no keep-alive: there is data waiting for it.
      if (!this.blocked) {
        this.blocked = !this.res.write(': keep-alive\n\n');
      }
    }, this.heartbeatMs);
  }

  private write(e: RunEvent): void {
    this.blocked = !this.res.write(frame(e));
    if (isEnd(e)) {
      this.stop();
      this.res.end();
    }
  }

  /** Keeps an event while the socket is full, merged with what is already held. */
  private hold(e: RunEvent): void {
    const last = this.held.at(-1);
    if (e.event === 'delta' && last?.event.event === 'delta') {
      last.event = { event: 'delta', data: { content: last.event.data.content + e.data.content } };
      this.heldBytes += e.data.content.length;
      last.bytes += e.data.content.length;
    } else {
      const bytes = frame(e).length;
      const same =
        e.event === 'step'
          ? this.held.find((h) => h.event.event === 'step' && h.event.data.id === e.data.id)
          : undefined;
      if (same) {
        this.heldBytes += bytes - same.bytes;
        Object.assign(same, { event: e, bytes });
      } else {
        this.held.push({ event: e, bytes });
        this.heldBytes += bytes;
      }
    }
    if (isEnd(e)) {
      // The run is over; a reader that never comes back must not keep the socket and the held events.
      setTimeout(() => this.giveUp(), FINISHED_GRACE_MS).unref();
    } else if (this.res.writableLength + this.heldBytes > this.maxBufferedBytes) {
      this.giveUp();
    }
  }

  private flush(): void {
    this.blocked = false;
    while (this.held.length > 0 && !this.blocked && !this.closed) {
      const { event, bytes } = this.held.shift()!;
      this.heldBytes -= bytes;
      this.write(event);
    }
  }

  /** Closes the stream of a reader too slow to keep up; the run goes on and is stored as usual. */
  private giveUp(): void {
    if (this.closed) {
      return;
    }
    this.held = [];
    this.heldBytes = 0;
    this.write({
      event: 'error',
      data: {
        detail:
          'Stream closed: the client read too slowly. The run goes on; read it from the messages API.',
      },
    });
    const socket = this.res.socket;
    setTimeout(() => socket?.destroy(), GIVE_UP_GRACE_MS).unref();
  }

  private stop(): void {
    if (this.closed) {
      return;
    }
    this.closed = true;
    clearInterval(this.heartbeat);
    this.closeHandlers.splice(0).forEach((h) => h());
  }
}
