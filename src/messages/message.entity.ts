import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
} from 'typeorm';
import { Session } from '../sessions/session.entity.js';

export type MessageRole = 'user' | 'assistant';
export type MessageStatus = 'running' | 'completed' | 'failed';

/** Why a run stopped early; the abort signal carries one of these as its reason. */
export type StopReason = 'cancelled' | 'time_limit' | 'interrupted';
/** Why an assistant turn ended. */
export type FinishReason =
  | 'completed'
  | 'max_iterations'
  | 'stuck_loop'
  | 'budget'
  | 'provider_error'
  | 'error'
  | StopReason;

/** One item of the plan a model keeps with `update_plan`. */
export interface PlanItem {
  text: string;
  status: 'pending' | 'in_progress' | 'completed';
}

/** How a turn ended: what the agent loop returns and what `TurnStateService.finish` stores on its message. */
export interface TurnOutcome {
  status: 'completed' | 'failed';
  finishReason: FinishReason;
  content: string;
  promptTokens: number;
  completionTokens: number;
  /** The sandbox version the turn leaves behind (set when the turn's end is stored; the loop leaves it out). */
  versionAfter?: number | null;
  /** The turn's reasoning text (never part of `content`), cut to 64 KiB. */
  reasoning?: string | null;
  /** The last plan of the turn (`update_plan`). */
  plan?: PlanItem[] | null;
  /** True when the provider sent no `usage` for some round and its tokens were estimated. */
  tokensEstimated?: boolean;
  /** The summary of older rounds the model wrote when the context filled up (a later turn may use it). */
  contextSummary?: string | null;
}

@Entity('messages')
@Index('messages_session_created_idx', ['sessionId', 'id'])
// One agent turn per session at a time, enforced by the database so it holds across replicas.
@Index('messages_one_running_per_session', ['sessionId'], {
  unique: true,
  where: `status = 'running'`,
})
@Check('messages_role_check', `role IN ('user', 'assistant')`)
@Check('messages_status_check', `status IN ('running', 'completed', 'failed')`)
export class Message {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ name: 'session_id', type: 'char', length: 32 })
  sessionId!: string;

  @ManyToOne(() => Session, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'session_id', foreignKeyConstraintName: 'messages_session_id_fkey' })
  session?: Relation<Session>;

  @Column({ type: 'varchar', length: 16 })
  role!: MessageRole;

  @Column({ type: 'text', default: '' })
  content!: string;

  @Column({ type: 'varchar', length: 16, default: 'completed' })
  status!: MessageStatus;

  /** Why an assistant run ended. */
  @Column({ name: 'finish_reason', type: 'varchar', length: 32, nullable: true })
  finishReason!: FinishReason | null;

  @Column({ name: 'prompt_tokens', type: 'int', nullable: true })
  promptTokens!: number | null;

  @Column({ name: 'completion_tokens', type: 'int', nullable: true })
  completionTokens!: number | null;

  /** Set by any replica to ask the running turn to stop; the run polls it between steps. */
  @Column({ name: 'cancel_requested', type: 'boolean', default: false })
  cancelRequested!: boolean;

  /** Refreshed by the process running the turn; a stale one means the process died. */
  @Column({ name: 'heartbeat_at', type: 'timestamptz', nullable: true })
  heartbeatAt!: Date | null;

  /** Which replica runs the turn, so a shutting-down replica fails only its own runs. */
  @Column({ name: 'runner_id', type: 'varchar', length: 64, nullable: true })
  runnerId!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;

  /** Assistant turns: the sandbox version when the turn began ("undo this turn" restores it). */
  @Column({ name: 'version_before', type: 'int', nullable: true })
  versionBefore!: number | null;

  /** Assistant turns: the sandbox version when the turn ended; null while it runs. */
  @Column({ name: 'version_after', type: 'int', nullable: true })
  versionAfter!: number | null;

  /** Assistant turns: the reasoning the model streamed (kept for display, never sent as content). */
  @Column({ type: 'text', nullable: true })
  reasoning!: string | null;

  /** Assistant turns: the last plan the model made with `update_plan`. */
  @Column({ type: 'jsonb', nullable: true })
  plan!: PlanItem[] | null;

  /** Assistant turns: tokens were estimated because the provider reported no `usage`. */
  @Column({ name: 'tokens_estimated', type: 'boolean', default: false })
  tokensEstimated!: boolean;

  /** Assistant turns: the model's own summary of rounds condensed out of the context. */
  @Column({ name: 'context_summary', type: 'text', nullable: true })
  contextSummary!: string | null;
}
