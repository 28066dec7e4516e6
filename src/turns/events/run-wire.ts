import { toMessageView, toStepView } from '../../messages/messages.views.js';
import type { MessagesService } from '../../messages/messages.service.js';
import { endEvent, type RunEvent } from '../../agent/run/run-events.js';

/** An event too big for one message, named so the receiver can load it from the database. */
export type WireRef =
  | { event: 'done' | 'error' }
  | { event: 'step'; id: number }
  | { event: 'user_message'; id: number };

export interface RunWire {
  m: number;
  e?: RunEvent;
  /** The event did not fit: the receiver loads it. `'done'` is how older replicas said it. */
  ref?: WireRef | 'done';
  /** The stale sweep ended this turn; a runner that is still alive stops working on it. */
  swept?: true;
}

/** How an event too big to carry is named on the wire (text is split instead, never sent by reference). */
export function refOf(
  event: Exclude<RunEvent, { event: 'delta' | 'reasoning' | 'plan' }>,
): WireRef {
  switch (event.event) {
    case 'step':
    case 'user_message':
      return { event: event.event, id: event.data.id };
    case 'done':
    case 'error':
      return { event: event.event };
  }
}

/** Reads an event sent by reference from the database, where every one of them is stored. */
export async function loadByRef(
  messages: MessagesService,
  messageId: number,
  ref: RunWire['ref'],
): Promise<RunEvent | null> {
  const r: WireRef | undefined = ref === 'done' ? { event: 'done' } : ref;
  switch (r?.event) {
    case undefined:
      return null;
    case 'step': {
      const step = (await messages.stepsOf(messageId)).find((s) => s.id === r.id);
      return step ? { event: 'step', data: toStepView(step) } : null;
    }
    case 'user_message': {
      const message = await messages.findById(r.id);
      return message ? { event: 'user_message', data: toMessageView(message) } : null;
    }
    case 'done':
    case 'error': {
      const message = await messages.findById(messageId);
      if (message && message.status !== 'running') {
        return endEvent(message);
      }
      // An end that could not be stored: the follower still hears that the run is over.
      return r.event === 'error'
        ? { event: 'error', data: { detail: 'Failed: the run ended with an error' } }
        : null;
    }
  }
}
