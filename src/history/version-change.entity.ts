import {
  Check,
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  type Relation,
} from 'typeorm';
import { Session } from '../sessions/session.entity.js';
import type { ChangeKind } from './history-types.js';

/**
 * What one version did to one file. No foreign key to `session_versions`: a pruned version's last
 * change of each file stays as the base the later versions build on.
 */
@Entity('version_changes')
// "Files as of version v" (its DESC order is the migration's; TypeORM compares names and columns).
@Index('version_changes_path_idx', ['sessionId', 'path', 'version'])
// Pruning asks whether a content is still referenced.
@Index('version_changes_after_idx', ['sessionId', 'hashAfter'])
@Index('version_changes_before_idx', ['sessionId', 'hashBefore'])
@Check('version_changes_change_check', `change IN ('added', 'modified', 'deleted')`)
export class VersionChange {
  @PrimaryColumn({ name: 'session_id', type: 'char', length: 32 })
  sessionId!: string;

  @ManyToOne(() => Session, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'session_id', foreignKeyConstraintName: 'version_changes_session_id_fkey' })
  session?: Relation<Session>;

  @PrimaryColumn({ type: 'int' })
  version!: number;

  @PrimaryColumn({ type: 'varchar', length: 255 })
  path!: string;

  @Column({ type: 'varchar', length: 8 })
  change!: ChangeKind;

  @Column({ name: 'hash_before', type: 'char', length: 64, nullable: true })
  hashBefore!: string | null;

  @Column({ name: 'size_before', type: 'int', nullable: true })
  sizeBefore!: number | null;

  @Column({ name: 'hash_after', type: 'char', length: 64, nullable: true })
  hashAfter!: string | null;

  @Column({ name: 'size_after', type: 'int', nullable: true })
  sizeAfter!: number | null;
}
