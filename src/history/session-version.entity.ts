import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  type Relation,
} from 'typeorm';
import { Session } from '../sessions/session.entity.js';
import type { VersionSource } from './history-types.js';

/**
 * A version a session still keeps. `message_id` and `step_id` name the agent turn and step that made
 * it; they have no foreign key, so a version outlives nothing it refers to by accident.
 */
@Entity('session_versions')
@Check('session_versions_source_check', `source IN ('api', 'agent', 'restore', 'import', 'fork')`)
export class SessionVersion {
  @PrimaryColumn({ name: 'session_id', type: 'char', length: 32 })
  sessionId!: string;

  @ManyToOne(() => Session, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'session_id', foreignKeyConstraintName: 'session_versions_session_id_fkey' })
  session?: Relation<Session>;

  @PrimaryColumn({ type: 'int' })
  version!: number;

  @Column({ type: 'varchar', length: 16 })
  source!: VersionSource;

  @Column({ name: 'message_id', type: 'int', nullable: true })
  messageId!: number | null;

  @Column({ name: 'step_id', type: 'int', nullable: true })
  stepId!: number | null;

  @Column({ name: 'restored_from', type: 'int', nullable: true })
  restoredFrom!: number | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
