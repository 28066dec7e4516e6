import { randomUUID } from 'node:crypto';
import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { StopReason } from '../agent/run/run-ports.js';
import { TurnStateService } from './turn-state.service.js';

interface LocalRun {
  controller: AbortController;
  done: Promise<unknown>;
}

const CANCEL_POLL_MS = 500;
/** What the sweep writes on a turn whose replica died, and what its followers hear. */
export const INTERRUPTED_DETAIL = 'Interrupted: the server running this turn stopped.';

/** Told of turns the sweep failed, so their followers on every replica hear the end. */
export type SweptListener = (messageIds: number[]) => void;

/**
 * The runs of this replica. One timer serves them all: it asks the database which of them were asked to
 * cancel (from any replica) and, every fifth of AGENT_STALE_RUN_MS, refreshes their heartbeats. Another
 * sweeps, as often, turns whose replica died: with the defaults (15 s) a dead replica's turn is failed
 * within 18 s of its last beat, inside the contract's 30 s, while a live one has five beats to miss first.
 * On shutdown, local runs are stopped and recorded as interrupted.
 */
@Injectable()
export class RunRegistry implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly runnerId = `${process.pid}-${randomUUID().slice(0, 8)}`;
  private readonly logger = new Logger(RunRegistry.name);
  private readonly runs = new Map<number, LocalRun>();
  private timers: NodeJS.Timeout[] = [];
  private lastBeat = 0;
  private beatFailing = false;
  private readonly sweptListeners: SweptListener[] = [];

  constructor(
    private readonly turns: TurnStateService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const staleMs = this.config.agent.staleRunMs;
    void this.sweep();
    this.timers = [
      setInterval(() => void this.poll(), CANCEL_POLL_MS),
      setInterval(() => void this.sweep(), Math.max(CANCEL_POLL_MS, staleMs / 5)),
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
    if ((await this.turns.cancelRequested([messageId])).length > 0) {
      this.abortLocal(messageId, 'cancelled');
    }
  }

  /** Registers who must hear of turns the sweep failed (the event bus, which tells followers). */
  onSwept(listener: SweptListener): void {
    this.sweptListeners.push(listener);
  }

  /** Frees a session held by a turn whose replica stopped beating; returns how many it failed. */
  async sweepSession(sessionId: string): Promise<number> {
    const ids = await this.turns.failStale({
      staleMs: this.config.agent.staleRunMs,
      sessionId,
      reason: INTERRUPTED_DETAIL,
    });
    this.announceSwept(ids);
    return ids.length;
  }

  private async poll(): Promise<void> {
    const ids = [...this.runs.keys()];
    if (ids.length === 0) {
      return;
    }
    try {
      for (const id of await this.turns.cancelRequested(ids)) {
        this.abortLocal(id, 'cancelled');
      }
    } catch (err) {
      this.logger.warn(`cancel poll failed: ${(err as Error).message}`);
    }
    if (Date.now() - this.lastBeat >= this.config.agent.staleRunMs / 5) {
      await this.beat(ids);
    }
  }

  /** A failed beat is retried at the next poll (500 ms), not a whole interval later; logged once. */
  private async beat(ids: number[]): Promise<void> {
    try {
      const alive = new Set(await this.turns.heartbeat(ids, this.runnerId));
      this.lastBeat = Date.now();
      if (this.beatFailing) {
        this.beatFailing = false;
        this.logger.log('run heartbeats recovered');
      }
      // A turn no longer running as ours was swept while we could not beat: stop working on it.
      ids.filter((id) => !alive.has(id)).forEach((id) => this.abortLocal(id, 'interrupted'));
    } catch (err) {
      if (!this.beatFailing) {
        this.beatFailing = true;
        this.logger.warn(`run heartbeat failed, retrying every poll: ${(err as Error).message}`);
      }
    }
  }

  private async sweep(): Promise<void> {
    try {
      const ids = await this.turns.failStale({
        staleMs: this.config.agent.staleRunMs,
        reason: INTERRUPTED_DETAIL,
      });
      if (ids.length > 0) {
        this.logger.warn(`marked ${ids.length} stale agent turn(s) as failed`);
      }
      this.announceSwept(ids);
    } catch (err) {
      this.logger.warn(`stale-run sweep failed: ${(err as Error).message}`);
    }
  }

  private announceSwept(ids: number[]): void {
    if (ids.length > 0) {
      this.sweptListeners.forEach((listener) => listener(ids));
    }
  }
}
