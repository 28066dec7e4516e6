import type { Message, PlanItem } from '../../messages/message.entity.js';
import { toMessageView, type MessageView, type StepView } from '../../messages/messages.views.js';

/** What a follower of a run receives, named as the SSE events of the contract. */
export type RunEvent =
  | { event: 'user_message'; data: MessageView }
  | { event: 'step'; data: StepView }
  | { event: 'delta'; data: { content: string } }
  /** Reasoning text as it streams; never part of the message's content. */
  | { event: 'reasoning'; data: { content: string } }
  /** The whole plan, each time the model calls `update_plan`. */
  | { event: 'plan'; data: { items: PlanItem[] } }
  | { event: 'done'; data: MessageView }
  | { event: 'error'; data: { detail: string } };

export type RunListener = (event: RunEvent) => void;

/**
 * How a follower hears that a stored turn has ended: `error` for provider and internal failures, and
 * for a turn interrupted because its server stopped (the detail is the closing sentence saying so).
 */
export function endEvent(message: Message): RunEvent {
  if (message.finishReason === 'provider_error' || message.finishReason === 'error') {
    return { event: 'error', data: { detail: message.content } };
  }
  if (message.finishReason === 'interrupted') {
    return { event: 'error', data: { detail: message.content.split('\n\n').at(-1)! } };
  }
  return { event: 'done', data: toMessageView(message) };
}

const STATUS_RANK: Record<string, number> = { pending: 0, running: 1, completed: 2, failed: 2 };

/** Step events only move forward; an older snapshot (a replay racing live events) is dropped. */
export function isNewerStep(step: StepView, seen: StepView | undefined): boolean {
  if (!seen) {
    return true;
  }
  const rank = STATUS_RANK[step.status] - STATUS_RANK[seen.status];
  return rank > 0 || (rank === 0 && step.progress >= seen.progress);
}
