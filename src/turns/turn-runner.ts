import type { RunListener } from '../agent/run/run-events.js';
import type { Message, TurnOutcome } from '../messages/message.entity.js';

/** A turn the turns module has begun (its rows exist and it counts as running), handed over to run. */
export interface TurnToRun {
  userId: number;
  sessionId: string;
  /** The model the session uses. */
  model: string;
  userMessage: Message;
  /** The assistant message the run fills in; its execution steps belong to it. */
  assistantMessageId: number;
}

/** What the turn's owner gives the run: when to stop, and where its live events go. */
export interface TurnControls {
  /** Aborted with a `StopReason`: cancelled, time_limit or interrupted. */
  signal: AbortSignal;
  /** Called between steps: notices a cancel asked on another replica. */
  checkpoint(): Promise<void>;
  /** `step` and `delta` events, for whoever follows the turn. */
  emit: RunListener;
}

/**
 * The seam between the life of a turn (the turns module: its rows, caps, heartbeats, cancel, stale
 * sweep, webhook events, start and end events) and the work of one (the agent loop). The agent module
 * provides the in-process runner (`AgentTurnRunner`); a job engine would provide one that hands the
 * turn to a worker and reports its outcome.
 */
export interface TurnRunner {
  /** False when no turn can run at all (no LLM provider configured): a post stores its message and gets 503. */
  readonly configured: boolean;
  /** Runs the turn to its end. Throws only on an internal error, which the turn records as failed. */
  run(turn: TurnToRun, controls: TurnControls): Promise<TurnOutcome>;
}

export const TURN_RUNNER = Symbol('TURN_RUNNER');
