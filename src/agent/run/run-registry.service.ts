import { randomUUID } from 'node:crypto';
import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { AppConfig } from '../../config/app-config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { MessagesService } from '../../messages/messages.service.js';
import type { StopReason } from './run-ports.js';

interface LocalRun {
  controller: AbortController;
  done: Promise<unknown>;
}

const CANCEL_POLL_MS = 500;

/**
 * The runs of this replica. One timer serves them all: it asks the database which of them were asked to
 * cancel (from any replica) and, less often, refreshes their heartbeats. Another sweeps turns whose
 * replica died. On shutdown, local runs are stopped and recorded as interrupted.
 */
@Injectable()
export class RunRegistry implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly runnerId = `${process.pid}-${randomUUID().slice(0, 8)}`;
  private readonly logger = new Logger(RunRegistry.name);
  private readonly runs = new Map<number, LocalRun>();
  private timers: NodeJS.Timeout[] = [];
  private lastBeat = 0;

  constructor(
    private readonly messages: MessagesService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const staleMs = this.config.agent.staleRunMs;
    void this.sweep();
    this.timers = [
      setInterval(() => void this.poll(), CANCEL_POLL_MS),
      setInterval(() => void this.sweep(), Math.max(1000, staleMs / 2)),
    ];
    this.timers.forEach((t) => t.unref());
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.interruptAll();
  }

  /** Stops this replica's runs; each records itself as failed, interrupted by shutdown. */
  async interruptAll(timeoutMs = 5000): Promise<void> {
    this.timers.forEach(clearInterval);
    const pending = [...this.runs.values()];
    pending.forEach((r) => r.controller.abort('interrupted' satisfies StopReason));
    await Promise.race([
      Promise.allSettled(pending.map((r) => r.done)),
      new Promise((r) => setTimeout(r, timeoutMs).unref()),
    ]);
  }

  register(messageId: number, controller: AbortController, done: Promise<unknown>): void {
    this.runs.set(messageId, { controller, done });
    const forget = () => this.runs.delete(messageId);
    done.then(forget, forget);
  }

  isLocal(messageId: number): boolean {
    return this.runs.has(messageId);
  }

  /** Stops a run at once if it is on this replica; the database flag reaches the others. */
  abortLocal(messageId: number, reason: StopReason): void {
    this.runs.get(messageId)?.controller.abort(reason);
  }

  /** Between steps: a cheap check of the cancel flag for one run. */
  async checkpoint(messageId: number): Promise<void> {
    if ((await this.messages.cancelRequested([messageId])).length > 0) {
      this.abortLocal(messageId, 'cancelled');
    }
  }

  /** Frees a session held by a turn whose replica stopped beating. */
  sweepSession(sessionId: string): Promise<number> {
    return this.messages.failStaleTurns({
      staleMs: this.config.agent.staleRunMs,
      sessionId,
      reason: 'Interrupted: the server running this turn stopped.',
    });
  }

  private async poll(): Promise<void> {
    const ids = [...this.runs.keys()];
    if (ids.length === 0) {
      return;
    }
    try {
      for (const id of await this.messages.cancelRequested(ids)) {
        this.abortLocal(id, 'cancelled');
      }
      if (Date.now() - this.lastBeat >= this.config.agent.staleRunMs / 4) {
        this.lastBeat = Date.now();
        await this.messages.heartbeat(ids);
      }
    } catch (err) {
      this.logger.warn(`run poll failed: ${(err as Error).message}`);
    }
  }

  private async sweep(): Promise<void> {
    try {
      const n = await this.messages.failStaleTurns({
        staleMs: this.config.agent.staleRunMs,
        reason: 'Interrupted: the server running this turn stopped.',
      });
      if (n > 0) {
        this.logger.warn(`marked ${n} stale agent turn(s) as failed`);
      }
    } catch (err) {
      this.logger.warn(`stale-run sweep failed: ${(err as Error).message}`);
    }
  }
}
