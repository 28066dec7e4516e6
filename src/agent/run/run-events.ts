import type { MessageView, StepView } from '../../messages/message.presenter.js';

/** What a follower of a run receives, named as the SSE events of the contract. */
export type RunEvent =
  | { event: 'user_message'; data: MessageView }
  | { event: 'step'; data: StepView }
  | { event: 'delta'; data: { content: string } }
  | { event: 'done'; data: MessageView }
  | { event: 'error'; data: { detail: string } };

export type RunListener = (event: RunEvent) => void;
