import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { Session } from '../sessions/session.entity.js';

/** The bytes of a history content, for `PgContentStore` (the PostgreSQL `ContentStore`). */
@Entity('blob_contents')
export class BlobContent {
  @PrimaryColumn({ name: 'session_id', type: 'char', length: 32 })
  sessionId!: string;

  @ManyToOne(() => Session, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'session_id', foreignKeyConstraintName: 'blob_contents_session_id_fkey' })
  session?: Relation<Session>;

  @PrimaryColumn({ type: 'char', length: 64 })
  hash!: string;

  @Column({ type: 'bytea' })
  content!: Buffer;
}
