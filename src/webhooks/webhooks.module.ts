import { Module } from '@nestjs/common';
import { TargetVetter } from './delivery/target-vetter.js';
import { WebhookOutbox } from './webhook-outbox.service.js';
import { WebhookWorker } from './webhook-worker.service.js';
import { WebhooksController } from './webhooks.controller.js';
import { WebhooksService } from './webhooks.service.js';

/**
 * Outgoing webhooks: registration over HTTP, the outbox other modules enqueue events into (inside their
 * own transactions), and the delivery worker every replica runs.
 */
@Module({
  controllers: [WebhooksController],
  providers: [WebhooksService, WebhookOutbox, WebhookWorker, TargetVetter],
  exports: [WebhookOutbox, WebhookWorker],
})
export class WebhooksModule {}
