import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  type Relation,
} from 'typeorm';
import { User } from '../users/user.entity.js';

export type IdempotencyStatus = 'in_progress' | 'done';

/** The first answer to an `Idempotency-Key` request of one user, kept 24 h for replays. */
@Entity('idempotency_keys')
@Index('idempotency_keys_created_idx', ['createdAt'])
@Check('idempotency_keys_status_check', `status IN ('in_progress', 'done')`)
export class IdempotencyKey {
  @PrimaryColumn({ name: 'user_id', type: 'int' })
  userId!: number;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'idempotency_keys_user_id_fkey' })
  user?: Relation<User>;

  @PrimaryColumn({ type: 'varchar', length: 255 })
  key!: string;

  @Column({ name: 'request_hash', type: 'char', length: 64 })
  requestHash!: string;

  @Column({ type: 'varchar', length: 16, default: 'in_progress' })
  status!: IdempotencyStatus;

  @Column({ name: 'response_status', type: 'smallint', nullable: true })
  responseStatus!: number | null;

  /** The exact JSON text sent (jsonb would reorder keys), so a replay is byte-identical. */
  @Column({ name: 'response_body', type: 'text', nullable: true })
  responseBody!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
