import { ApiProperty } from '@nestjs/swagger';
import type { WebhookDelivery } from './webhook-delivery.entity.js';
import { WEBHOOK_EVENTS, type Webhook } from './webhook.entity.js';

export class WebhookView {
  @ApiProperty({ example: 1 })
  id!: number;

  @ApiProperty({ example: 'https://example.com/hooks/aeio' })
  url!: string;

  @ApiProperty({ enum: WEBHOOK_EVENTS, isArray: true })
  events!: string[];

  @ApiProperty({ example: '2024-01-15T10:31:00.000Z' })
  created_at!: string;
}

export class CreatedWebhookView extends WebhookView {
  @ApiProperty({
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    description: 'the signing secret (`whsec_` + base64 of 32 bytes); shown only in this response',
  })
  secret!: string;
}

export class WebhookDeliveryView {
  @ApiProperty({ example: 17 })
  id!: number;

  @ApiProperty({ enum: WEBHOOK_EVENTS })
  event!: string;

  @ApiProperty({
    enum: ['pending', 'delivered', 'failed'],
    description:
      '`pending`: waiting for its next attempt (or being attempted); `delivered`: the endpoint ' +
      'answered 2xx; `failed`: WEBHOOK_MAX_ATTEMPTS attempts failed',
  })
  status!: string;

  @ApiProperty({ example: 1, description: 'attempts started so far' })
  attempts!: number;

  @ApiProperty({ type: Number, nullable: true, example: 200, description: 'of the last attempt' })
  last_status_code!: number | null;

  @ApiProperty({ example: '2024-01-15T10:31:00.000Z' })
  created_at!: string;

  @ApiProperty({ type: String, nullable: true, example: '2024-01-15T10:31:00.120Z' })
  delivered_at!: string | null;
}

export const toWebhookView = (w: Webhook): WebhookView => ({
  id: w.id,
  url: w.url,
  events: w.events,
  created_at: w.createdAt.toISOString(),
});

export const toDeliveryView = (d: WebhookDelivery): WebhookDeliveryView => ({
  id: d.id,
  event: d.event,
  status: d.status,
  attempts: d.attempts,
  last_status_code: d.lastStatusCode,
  created_at: d.createdAt.toISOString(),
  delivered_at: d.deliveredAt ? d.deliveredAt.toISOString() : null,
});
