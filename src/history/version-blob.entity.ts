import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { Session } from '../sessions/session.entity.js';

/** A content a session's history holds, by SHA-256, and its size (counted against its budget). */
@Entity('version_blobs')
export class VersionBlob {
  @PrimaryColumn({ name: 'session_id', type: 'char', length: 32 })
  sessionId!: string;

  @ManyToOne(() => Session, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'session_id', foreignKeyConstraintName: 'version_blobs_session_id_fkey' })
  session?: Relation<Session>;

  @PrimaryColumn({ type: 'char', length: 64 })
  hash!: string;

  @Column({ type: 'int' })
  size!: number;
}
