import type { TurnEvent } from '../api/events';
import type { Message, PlanItem, Step } from '../api/round3';

/** A turn as it streams: what was sent, the stored user message, the text so far, live steps, the end. */
export interface LiveTurn {
  sent: string | null;
  user: Message | null;
  text: string;
  /** The model's reasoning so far (shown collapsed). */
  reasoning: string;
  /** The latest plan, or null while the model has made none. */
  plan: PlanItem[] | null;
  steps: Step[];
  done: Message | null;
  error: string | null;
  /** Followed through `latest/events` (a reload mid-turn) rather than started here. */
  attached: boolean;
}

export const freshTurn = (sent: string | null, attached: boolean): LiveTurn => ({
  sent,
  user: null,
  text: '',
  reasoning: '',
  plan: null,
  steps: [],
  done: null,
  error: null,
  attached,
});

/** A step replaces the one with its id (steps are re-sent as they progress), in id order. */
export function upsertStep(steps: Step[], step: Step): Step[] {
  const i = steps.findIndex((s) => s.id === step.id);
  if (i < 0) {
    return [...steps, step].sort((a, b) => a.id - b.id);
  }
  const copy = steps.slice();
  copy[i] = step;
  return copy;
}

/** What a person reads when the turn failed. */
export const turnErrorText = (detail: string | null): string => detail ?? 'The turn failed.';

/** The live turn after one event (pure: the hook does the side effects). */
export function reduceTurn(turn: LiveTurn, e: TurnEvent): LiveTurn {
  switch (e.event) {
    case 'user_message':
      return { ...turn, user: e.data };
    case 'delta':
      return { ...turn, text: turn.text + e.data.content };
    case 'reasoning':
      return { ...turn, reasoning: turn.reasoning + e.data.content };
    case 'plan':
      return { ...turn, plan: e.data.items };
    case 'step':
      return { ...turn, steps: upsertStep(turn.steps, e.data) };
    case 'done':
      return { ...turn, done: e.data };
    case 'error':
      return { ...turn, error: turnErrorText(e.data.detail) };
  }
}
