import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
} from 'typeorm';
import { User } from '../users/user.entity.js';

export const WEBHOOK_EVENTS = ['run.started', 'step.finished', 'run.finished'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** An endpoint a user registered for events of their own sessions. */
@Entity('webhooks')
@Index('webhooks_user_idx', ['userId', 'id'])
export class Webhook {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ name: 'user_id', type: 'int' })
  userId!: number;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'webhooks_user_id_fkey' })
  user?: Relation<User>;

  @Column({ type: 'varchar', length: 2048 })
  url!: string;

  @Column({ type: 'text', array: true })
  events!: WebhookEvent[];

  /** The signing secret, sealed with AES-256-GCM (see `SecretBox`); never sent after creation. */
  @Column({ name: 'secret_sealed', type: 'text' })
  secretSealed!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
