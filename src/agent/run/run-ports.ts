import type { StepStatus } from '../../messages/execution-step.entity.js';
import type { PlanItem } from '../../messages/message.entity.js';

/** The fields of an execution step the loop writes. */
export interface StepState {
  id: number;
  iteration: number;
  toolCallId: string | null;
  toolName: string;
  toolArguments: Record<string, unknown>;
  status: StepStatus;
  progress: number;
  error: string | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  /** The version the step's change made; absent or null when it changed no file. */
  version?: number | null;
}

export type StepPatch = Partial<Omit<StepState, 'id' | 'iteration'>>;

/** Where steps are kept (PostgreSQL in the service, memory in unit tests). */
export interface StepStore {
  create(step: Omit<StepState, 'id'>): Promise<StepState>;
  /** Applies the patch and returns the whole step as it now is. */
  update(step: StepState, patch: StepPatch): Promise<StepState>;
}

/** Live progress for whoever follows the run (SSE). */
export interface RunObserver {
  step(step: StepState): void;
  delta(text: string): void;
  /** Reasoning text as it streams (never part of the answer). */
  reasoning?(text: string): void;
  /** The whole plan, each time the model updates it. */
  plan?(items: PlanItem[]): void;
}

export type {
  FinishReason,
  PlanItem,
  StopReason,
  TurnOutcome,
} from '../../messages/message.entity.js';
