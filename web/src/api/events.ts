import type { Message, PlanItem, Step } from './round3';

/** A server-sent event as read off the wire: its name and its data (parsed JSON, or the raw text). */
export interface SseEvent {
  event: string;
  data: unknown;
}

/**
 * The events of a streamed turn (`POST …/messages {stream:true}` and `…/latest/events`), by name:
 * the one definition the console reads them through. Payloads are the API's own views where there
 * is one (MessageView, StepView); reasoning and plan are the issue-19 additions.
 */
export interface TurnEventData {
  /** The stored user message: the service has kept what was sent. */
  user_message: Message;
  /** A tool call as it starts, progresses and ends (the same id each time). */
  step: Step;
  /** A piece of the answer's text. */
  delta: { content: string };
  /** A piece of the model's reasoning ("thinking"); never part of the answer. */
  reasoning: { content: string };
  /** The whole plan, each time the model updates it. */
  plan: { items: PlanItem[] };
  /** The stored assistant message: the turn ended. */
  done: Message;
  /** The turn failed; `detail` says why when the service said. */
  error: { detail: string | null };
}

export type TurnEventName = keyof TurnEventData;
export type TurnEvent = {
  [K in TurnEventName]: { event: K; data: TurnEventData[K] };
}[TurnEventName];

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const MESSAGE_ROLES: readonly unknown[] = ['user', 'assistant'];
const MESSAGE_STATUSES: readonly unknown[] = ['running', 'completed', 'failed'];
const STEP_STATUSES: readonly unknown[] = ['pending', 'running', 'completed', 'failed'];
const PLAN_STATUSES: readonly unknown[] = ['pending', 'in_progress', 'completed'];

/* The checks cover what the console relies on (ids, text, statuses), not every field of a view. */
function isMessage(v: unknown): v is Message {
  return (
    isRecord(v) &&
    typeof v.id === 'number' &&
    typeof v.content === 'string' &&
    MESSAGE_ROLES.includes(v.role) &&
    MESSAGE_STATUSES.includes(v.status)
  );
}

function isStep(v: unknown): v is Step {
  return (
    isRecord(v) &&
    typeof v.id === 'number' &&
    typeof v.message_id === 'number' &&
    typeof v.tool_name === 'string' &&
    STEP_STATUSES.includes(v.status)
  );
}

function isPlanItem(v: unknown): v is PlanItem {
  return isRecord(v) && typeof v.text === 'string' && PLAN_STATUSES.includes(v.status);
}

const text = (v: unknown): { content: string } | null =>
  isRecord(v) && typeof v.content === 'string' ? { content: v.content } : null;

/** A plan's entries, keeping the well-formed ones (a malformed entry must not hide the rest). */
export function planItems(v: unknown): PlanItem[] | null {
  return Array.isArray(v) ? v.filter(isPlanItem) : null;
}

/**
 * A raw server-sent event as a typed turn event, or null for an event the console does not know (a
 * newer server's) or a payload that does not fit its shape: both are skipped, never guessed at.
 */
export function decodeTurnEvent(e: SseEvent): TurnEvent | null {
  const { data } = e;
  switch (e.event) {
    case 'user_message':
    case 'done':
      return isMessage(data) ? { event: e.event, data } : null;
    case 'step':
      return isStep(data) ? { event: 'step', data } : null;
    case 'delta':
    case 'reasoning': {
      const piece = text(data);
      return piece && { event: e.event, data: piece };
    }
    case 'plan': {
      const items = isRecord(data) ? planItems(data.items) : null;
      return items && { event: 'plan', data: { items } };
    }
    case 'error':
      return {
        event: 'error',
        data: { detail: isRecord(data) && typeof data.detail === 'string' ? data.detail : null },
      };
    default:
      return null;
  }
}
