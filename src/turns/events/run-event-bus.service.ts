import { Injectable, Logger } from '@nestjs/common';
import { ClusterBus } from '../../common/cluster/cluster-bus.service.js';
import { MessagesService } from '../../messages/messages.service.js';
import { endEvent, type RunEvent, type RunListener } from '../../agent/run/run-events.js';
import { INTERRUPTED_DETAIL, RunRegistry } from '../run-registry.service.js';
import { TurnStateService } from '../turn-state.service.js';
import { loadByRef, refOf, type RunWire } from './run-wire.js';
import { splitForJson } from './split-text.js';

const EVENTS = 'run.event';
const FOLLOW = 'run.follow';
/** Text deltas bound for other replicas are gathered this long, so a token is not a message. */
const DELTA_FLUSH_MS = 40;

/** The events that carry text in pieces, gathered and split alike. */
type TextEvent = 'delta' | 'reasoning';
/** Followed runs of other replicas are looked up this often, in case word of their end was lost. */
const RECHECK_MS = 5000;

/**
 * Run events for followers on any replica. Locally, listeners get every event at once. Across
 * replicas (ClusterBus), a run's events are forwarded only once some replica follows it — it says so
 * with a `run.follow` message — so runs nobody follows cost no traffic between replicas. No event is
 * lost to a transport's size limit: text is split, anything else too big is sent by reference. A turn
 * the stale sweep fails is announced to every replica, since its dead runner forwards nothing.
 */
@Injectable()
export class RunEventBus {
  private readonly logger = new Logger(RunEventBus.name);
  private readonly listeners = new Map<number, Set<RunListener>>();
  /** Local runs some other replica follows. */
  private readonly forwarded = new Set<number>();
  private readonly pendingDeltas = new Map<
    number,
    { kind: TextEvent; text: string; timer: NodeJS.Timeout }
  >();
  /** Received events still being loaded, per run: later ones wait so followers hear them in order. */
  private readonly inbox = new Map<number, Promise<void>>();
  private recheckTimer?: NodeJS.Timeout;

  constructor(
    private readonly cluster: ClusterBus,
    private readonly registry: RunRegistry,
    private readonly turns: TurnStateService,
    private readonly messages: MessagesService,
  ) {
    cluster.on(FOLLOW, (p) => {
      const { m } = p as RunWire;
      if (this.registry.isLocal(m)) {
        this.forwarded.add(m);
      }
    });
    cluster.on(EVENTS, (p) => this.receive(p as RunWire));
    registry.onSwept((ids) => ids.forEach((id) => this.announceSwept(id)));
  }

  /** Delivers an event of a local run to its followers, here and, once asked, on other replicas. */
  publish(messageId: number, event: RunEvent): void {
    this.deliver(messageId, event);
    if (!this.forwarded.has(messageId)) {
      return;
    }
    if (event.event === 'delta' || event.event === 'reasoning') {
      this.bufferDelta(messageId, event.event, event.data.content);
      return;
    }
    this.flushDelta(messageId);
    this.send(messageId, event);
    if (event.event === 'done' || event.event === 'error') {
      this.forwarded.delete(messageId);
    }
  }

  /** Listens to a run wherever it runs; returns the unsubscribe function. */
  follow(messageId: number, listener: RunListener): () => void {
    const set = this.listeners.get(messageId) ?? new Set();
    set.add(listener);
    this.listeners.set(messageId, set);
    if (!this.registry.isLocal(messageId)) {
      this.cluster.publish(FOLLOW, { m: messageId } satisfies RunWire);
      this.startRecheck();
    }
    return () => {
      set.delete(listener);
      if (set.size === 0) {
        this.listeners.delete(messageId);
      }
    };
  }

  /** Tells followers everywhere that the sweep ended a turn; its runner is dead or lost its beat. */
  private announceSwept(messageId: number): void {
    const e: RunEvent = { event: 'error', data: { detail: INTERRUPTED_DETAIL } };
    this.registry.abortLocal(messageId, 'interrupted');
    this.deliver(messageId, e);
    this.cluster.publish(
      EVENTS,
      { m: messageId, e, swept: true } satisfies RunWire,
      this.key(messageId),
    );
  }

  private deliver(messageId: number, event: RunEvent): void {
    for (const listener of this.listeners.get(messageId) ?? []) {
      listener(event);
    }
  }

  private bufferDelta(messageId: number, kind: TextEvent, text: string): void {
    const pending = this.pendingDeltas.get(messageId);
    if (pending?.kind === kind) {
      pending.text += text;
      return;
    }
    // Reasoning and answer text alternate: each keeps its own order, so the other kind goes first.
    this.flushDelta(messageId);
    const timer = setTimeout(() => this.flushDelta(messageId), DELTA_FLUSH_MS);
    this.pendingDeltas.set(messageId, { kind, text, timer });
  }

  private flushDelta(messageId: number): void {
    const pending = this.pendingDeltas.get(messageId);
    if (!pending) {
      return;
    }
    clearTimeout(pending.timer);
    this.pendingDeltas.delete(messageId);
    this.send(messageId, { event: pending.kind, data: { content: pending.text } });
  }

  private send(messageId: number, event: RunEvent): void {
    const wire: RunWire = { m: messageId, e: event };
    if (this.cluster.fits(EVENTS, wire)) {
      this.cluster.publish(EVENTS, wire, this.key(messageId));
    } else if (event.event === 'delta' || event.event === 'reasoning') {
      // Text is split on character boundaries so each piece fits in bytes.
      const kind = event.event;
      const empty: RunWire = { m: messageId, e: { event: kind, data: { content: '' } } };
      for (const content of splitForJson(event.data.content, this.cluster.room(EVENTS, empty))) {
        this.cluster.publish(
          EVENTS,
          { m: messageId, e: { event: kind, data: { content } } } satisfies RunWire,
          this.key(messageId),
        );
      }
    } else if (event.event === 'plan') {
      // A plan too big for the channel is seen by remote followers with the finished message.
      return;
    } else {
      this.cluster.publish(EVENTS, { m: messageId, ref: refOf(event) }, this.key(messageId));
    }
  }

  /** One ordered stream of messages per run. */
  private key(messageId: number): string {
    return `run:${messageId}`;
  }

  private receive(wire: RunWire): void {
    if (wire.swept) {
      this.registry.abortLocal(wire.m, 'interrupted');
    }
    if (!this.listeners.has(wire.m)) {
      return;
    }
    if (wire.e && !this.inbox.has(wire.m)) {
      this.deliver(wire.m, wire.e);
      return;
    }
    this.enqueue(wire.m, async () => wire.e ?? (await loadByRef(this.messages, wire.m, wire.ref)));
  }

  /** Delivers an event once those received before it are delivered, however long it takes to produce. */
  private enqueue(messageId: number, produce: () => Promise<RunEvent | null>): void {
    const next = (this.inbox.get(messageId) ?? Promise.resolve())
      .then(async () => {
        const e = await produce();
        if (e) {
          this.deliver(messageId, e);
        }
      })
      .catch((err: Error) =>
        this.logger.warn(`could not load an event of run ${messageId}: ${err.message}`),
      );
    this.inbox.set(messageId, next);
    void next.then(() => {
      if (this.inbox.get(messageId) === next) {
        this.inbox.delete(messageId);
      }
    });
  }

  /** Messages between replicas are best effort: the database says whether a followed run has ended. */
  private startRecheck(): void {
    if (this.recheckTimer) {
      return;
    }
    this.recheckTimer = setInterval(() => void this.recheck(), RECHECK_MS);
    this.recheckTimer.unref();
  }

  private async recheck(): Promise<void> {
    const ids = [...this.listeners.keys()].filter((id) => !this.registry.isLocal(id));
    if (ids.length === 0) {
      clearInterval(this.recheckTimer);
      this.recheckTimer = undefined;
      return;
    }
    try {
      for (const message of await this.turns.endedAmong(ids)) {
        this.enqueue(message.id, () => Promise.resolve(endEvent(message)));
      }
    } catch (err) {
      this.logger.warn(`could not check followed runs: ${(err as Error).message}`);
    }
  }
}
