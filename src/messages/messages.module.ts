import { Module } from '@nestjs/common';
import { CapsModule } from '../caps/caps.module.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { WebhooksModule } from '../webhooks/webhooks.module.js';
import { MessagesController } from './messages.controller.js';
import { MessagesService } from './messages.service.js';

@Module({
  imports: [SessionsModule, CapsModule, WebhooksModule],
  controllers: [MessagesController],
  providers: [MessagesService],
  exports: [MessagesService],
})
export class MessagesModule {}
