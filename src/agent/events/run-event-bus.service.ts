import { Injectable } from '@nestjs/common';
import { ClusterBus } from '../../common/cluster/cluster-bus.service.js';
import type { RunEvent, RunListener } from '../run/run-events.js';
import { RunRegistry } from '../run/run-registry.service.js';

const EVENTS = 'run.event';
const FOLLOW = 'run.follow';
/** Text deltas bound for other replicas are gathered this long, so a token is not a message. */
const DELTA_FLUSH_MS = 40;

interface RunWire {
  m: number;
  e?: RunEvent;
  /** The event was too big to carry: the receiver loads the final message itself. */
  ref?: 'done';
}

/**
 * Run events for followers on any replica. Locally, listeners get every event at once. Across
 * replicas (ClusterBus), a run's events are forwarded only once some replica follows it — it says so
 * with a `run.follow` message — so runs nobody follows cost no traffic between replicas.
 */
@Injectable()
export class RunEventBus {
  private readonly listeners = new Map<number, Set<RunListener>>();
  /** Local runs some other replica follows. */
  private readonly forwarded = new Set<number>();
  private readonly pendingDeltas = new Map<number, { text: string; timer: NodeJS.Timeout }>();
  /** Loads a stored message for a `done` sent by reference. */
  doneLoader?: (messageId: number) => Promise<RunEvent | null>;

  constructor(
    private readonly cluster: ClusterBus,
    private readonly registry: RunRegistry,
  ) {
    cluster.on(FOLLOW, (p) => {
      const { m } = p as RunWire;
      if (this.registry.isLocal(m)) {
        this.forwarded.add(m);
      }
    });
    cluster.on(EVENTS, (p) => this.receive(p as RunWire));
  }

  /** Delivers an event of a local run to its followers, here and, once asked, on other replicas. */
  publish(messageId: number, event: RunEvent): void {
    this.deliver(messageId, event);
    if (!this.forwarded.has(messageId)) {
      return;
    }
    if (event.event === 'delta') {
      this.bufferDelta(messageId, event.data.content);
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
    }
    return () => {
      set.delete(listener);
      if (set.size === 0) {
        this.listeners.delete(messageId);
      }
    };
  }

  private deliver(messageId: number, event: RunEvent): void {
    for (const listener of this.listeners.get(messageId) ?? []) {
      listener(event);
    }
  }

  private bufferDelta(messageId: number, text: string): void {
    const pending = this.pendingDeltas.get(messageId);
    if (pending) {
      pending.text += text;
      return;
    }
    const timer = setTimeout(() => this.flushDelta(messageId), DELTA_FLUSH_MS);
    this.pendingDeltas.set(messageId, { text, timer });
  }

  private flushDelta(messageId: number): void {
    const pending = this.pendingDeltas.get(messageId);
    if (!pending) {
      return;
    }
    clearTimeout(pending.timer);
    this.pendingDeltas.delete(messageId);
    this.send(messageId, { event: 'delta', data: { content: pending.text } });
  }

  private send(messageId: number, event: RunEvent): void {
    const wire: RunWire = { m: messageId, e: event };
    if (this.cluster.fits(JSON.stringify(wire))) {
      this.cluster.publish(EVENTS, wire);
    } else if (event.event === 'delta') {
      // Split long text so each piece fits.
      const half = Math.ceil(event.data.content.length / 2);
      this.send(messageId, {
        event: 'delta',
        data: { content: event.data.content.slice(0, half) },
      });
      this.send(messageId, { event: 'delta', data: { content: event.data.content.slice(half) } });
    } else {
      this.cluster.publish(EVENTS, { m: messageId, ref: 'done' } satisfies RunWire);
    }
  }

  private receive(wire: RunWire): void {
    if (!this.listeners.has(wire.m)) {
      return;
    }
    if (wire.e) {
      this.deliver(wire.m, wire.e);
    } else if (wire.ref === 'done' && this.doneLoader) {
      void this.doneLoader(wire.m).then((e) => e && this.deliver(wire.m, e));
    }
  }
}
