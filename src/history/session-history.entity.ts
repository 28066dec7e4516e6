import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { Session } from '../sessions/session.entity.js';

/**
 * One row per session: its newest version, how far pruning went, and the bytes its history holds
 * (many-to-one on purpose: the primary key already makes it one per session, without a second index).
 */
@Entity('session_history')
export class SessionHistory {
  @PrimaryColumn({ name: 'session_id', type: 'char', length: 32 })
  sessionId!: string;

  @ManyToOne(() => Session, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'session_id', foreignKeyConstraintName: 'session_history_session_id_fkey' })
  session?: Relation<Session>;

  @Column({ type: 'int', default: 0 })
  head!: number;

  @Column({ name: 'pruned_through', type: 'int', default: -1 })
  prunedThrough!: number;

  @Column({ name: 'blob_bytes', type: 'bigint', default: 0 })
  blobBytes!: string;
}
