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
import { Webhook, type WebhookEvent } from './webhook.entity.js';

/** `pending` (waiting for its next attempt, or being attempted), `delivered` (a 2xx), `failed` (gave up). */
export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

/** One event for one webhook: a row of the delivery queue (written in the transaction of the event). */
@Entity('webhook_deliveries')
@Index('webhook_deliveries_webhook_idx', ['webhookId', 'id'])
// The workers' claim walks only the rows still to deliver, by when they are due.
@Index('webhook_deliveries_due_idx', ['nextAttemptAt'], { where: `status = 'pending'` })
@Index('webhook_deliveries_finished_idx', ['createdAt'], { where: `status <> 'pending'` })
@Check('webhook_deliveries_status_check', `status IN ('pending', 'delivered', 'failed')`)
export class WebhookDelivery {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ name: 'webhook_id', type: 'int' })
  webhookId!: number;

  @ManyToOne(() => Webhook, { onDelete: 'CASCADE' })
  @JoinColumn({
    name: 'webhook_id',
    foreignKeyConstraintName: 'webhook_deliveries_webhook_id_fkey',
  })
  webhook?: Relation<Webhook>;

  /** The `webhook-id` header: the same on every attempt. */
  @Column({ name: 'message_id', type: 'varchar', length: 64 })
  messageId!: string;

  @Column({ type: 'varchar', length: 32 })
  event!: WebhookEvent;

  /** The exact JSON text POSTed (jsonb would reorder keys), so every attempt sends the same bytes. */
  @Column({ type: 'text' })
  body!: string;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status!: DeliveryStatus;

  /** Attempts started so far (counted when an attempt is claimed, so a crash mid-attempt counts). */
  @Column({ type: 'int', default: 0 })
  attempts!: number;

  @Column({ name: 'next_attempt_at', type: 'timestamptz', default: () => 'now()' })
  nextAttemptAt!: Date;

  /** While an attempt runs: until when the replica that claimed it holds it. */
  @Column({ name: 'locked_until', type: 'timestamptz', nullable: true })
  lockedUntil!: Date | null;

  @Column({ name: 'last_status_code', type: 'int', nullable: true })
  lastStatusCode!: number | null;

  /** Why the last attempt failed, in a few words (never the response body). */
  @Column({ name: 'last_error', type: 'varchar', length: 200, nullable: true })
  lastError!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'delivered_at', type: 'timestamptz', nullable: true })
  deliveredAt!: Date | null;
}
