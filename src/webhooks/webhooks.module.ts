import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { WebhookDeliveriesRepository } from './webhook-deliveries.repository.js';
import { WebhookDelivery } from './webhook-delivery.entity.js';
import { Webhook } from './webhook.entity.js';
import { TargetVetter } from './delivery/target-vetter.js';
import { WebhookOutbox } from './webhook-outbox.service.js';
import { WebhookWorker } from './webhook-worker.service.js';
import { WebhooksController } from './webhooks.controller.js';
import { WebhooksRepository } from './webhooks.repository.js';
import { WebhooksService } from './webhooks.service.js';

/**
 * Outgoing webhooks: registration over HTTP, the outbox other modules enqueue events into (inside their
 * own transactions), and the delivery worker every replica runs.
 */
@Module({
  imports: [TypeOrmModule.forFeature([Webhook, WebhookDelivery])],
  controllers: [WebhooksController],
  providers: [
    WebhooksService,
    WebhookOutbox,
    WebhookWorker,
    WebhooksRepository,
    WebhookDeliveriesRepository,
    TargetVetter,
  ],
  exports: [WebhookOutbox, WebhookWorker],
})
export class WebhooksModule {}
