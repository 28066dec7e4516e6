import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  UpdateDateColumn,
  type Relation,
} from 'typeorm';
import { User } from '../users/user.entity.js';

@Entity('sessions')
// The session list's index (its DESC order is the migration's; TypeORM compares names and columns).
@Index('sessions_user_updated_idx', ['userId', 'updatedAt', 'id'])
@Check('sessions_sandbox_bytes_check', 'sandbox_bytes >= 0')
export class Session {
  /** 32 lowercase hex chars (a uuid without dashes), as the contract shows. */
  @PrimaryColumn({ type: 'char', length: 32 })
  id!: string;

  @Column({ name: 'user_id', type: 'int' })
  userId!: number;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'sessions_user_id_fkey' })
  user?: Relation<User>;

  @Column({ type: 'varchar', length: 200 })
  title!: string;

  /** The model its turns use; null = the deployment's default. */
  @Column({ type: 'varchar', length: 200, nullable: true })
  model!: string | null;

  /** Sum of the sizes of this session's sandbox files, kept in step under a row lock (the quota). */
  @Column({ name: 'sandbox_bytes', type: 'bigint', default: 0, select: false })
  sandboxBytes!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
