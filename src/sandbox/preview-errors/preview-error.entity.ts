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
import { Session } from '../../sessions/session.entity.js';

export const PREVIEW_ERROR_KINDS = ['error', 'unhandledrejection', 'console.error'] as const;
export type PreviewErrorKind = (typeof PREVIEW_ERROR_KINDS)[number];

/** One runtime error a preview page reported, with the sandbox version that page was served at. */
@Entity('preview_errors')
@Index('preview_errors_session_idx', ['sessionId', 'id'])
@Check('preview_errors_kind_check', `kind IN ('error', 'unhandledrejection', 'console.error')`)
export class PreviewError {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ name: 'session_id', type: 'char', length: 32 })
  sessionId!: string;

  @ManyToOne(() => Session, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'session_id', foreignKeyConstraintName: 'preview_errors_session_id_fkey' })
  session?: Relation<Session>;

  @Column({ type: 'varchar', length: 32 })
  kind!: PreviewErrorKind;

  @Column({ type: 'text' })
  message!: string;

  @Column({ type: 'text', nullable: true })
  source!: string | null;

  @Column({ type: 'int', nullable: true })
  line!: number | null;

  @Column({ type: 'int', nullable: true })
  column!: number | null;

  @Column({ type: 'int' })
  version!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
