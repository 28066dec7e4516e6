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
import { Message } from './message.entity.js';
import { Session } from '../sessions/session.entity.js';

export type StepStatus = 'pending' | 'running' | 'completed' | 'failed';

/** One tool call the agent made, with its live progress. */
@Entity('execution_steps')
@Index('execution_steps_message_idx', ['messageId', 'id'])
@Index('execution_steps_session_idx', ['sessionId'])
@Check('execution_steps_status_check', `status IN ('pending', 'running', 'completed', 'failed')`)
@Check('execution_steps_progress_check', 'progress BETWEEN 0 AND 100')
export class ExecutionStep {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ name: 'session_id', type: 'char', length: 32 })
  sessionId!: string;

  @ManyToOne(() => Session, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'session_id', foreignKeyConstraintName: 'execution_steps_session_id_fkey' })
  session?: Relation<Session>;

  @Column({ name: 'message_id', type: 'int' })
  messageId!: number;

  @ManyToOne(() => Message, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'message_id', foreignKeyConstraintName: 'execution_steps_message_id_fkey' })
  message?: Relation<Message>;

  @Column({ type: 'int' })
  iteration!: number;

  @Column({ name: 'tool_call_id', type: 'varchar', length: 128, nullable: true })
  toolCallId!: string | null;

  @Column({ name: 'tool_name', type: 'varchar', length: 64 })
  toolName!: string;

  @Column({ name: 'tool_arguments', type: 'jsonb', default: {} })
  toolArguments!: Record<string, unknown>;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status!: StepStatus;

  @Column({ type: 'smallint', default: 0 })
  progress!: number;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;

  /** The sandbox version this step's change made; null when it changed no file. */
  @Column({ type: 'int', nullable: true })
  version!: number | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
