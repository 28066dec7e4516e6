import type { Response } from 'express';
import type { RunEvent } from './run/run-events.js';

/**
 * Writes run events as Server-Sent Events: `event: <name>` and the bare JSON as `data:`. Headers go out
 * with the first event, so an error before the run starts is still a plain JSON response. A comment line
 * every `heartbeatMs` keeps gateways from closing a quiet connection. A client that goes away only stops
 * the writing, never the run.
 */
export class SseStream {
  private started = false;
  private closed = false;
  private heartbeat?: NodeJS.Timeout;
  private readonly closeHandlers: (() => void)[] = [];

  constructor(
    private readonly res: Response,
    private readonly heartbeatMs = 15_000,
  ) {
    res.on('close', () => this.stop());
  }

  send(e: RunEvent): void {
    if (this.closed) {
      return;
    }
    if (!this.started) {
      this.started = true;
      this.res.status(200);
      this.res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
      this.res.setHeader('Cache-Control', 'no-cache, no-transform');
      this.res.setHeader('Connection', 'keep-alive');
      this.res.setHeader('X-Accel-Buffering', 'no');
      this.res.flushHeaders();
      this.heartbeat = setInterval(() => this.res.write(': keep-alive\n\n'), this.heartbeatMs);
    }
    this.res.write(`event: ${e.event}\ndata: ${JSON.stringify(e.data)}\n\n`);
    if (e.event === 'done' || e.event === 'error') {
      this.stop();
      this.res.end();
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

  private stop(): void {
    if (this.closed) {
      return;
    }
    this.closed = true;
    clearInterval(this.heartbeat);
    this.closeHandlers.splice(0).forEach((h) => h());
  }
}
