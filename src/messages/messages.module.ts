import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CapsModule } from '../caps/caps.module.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { WebhooksModule } from '../webhooks/webhooks.module.js';
import { ExecutionStep } from './execution-step.entity.js';
import { ExecutionStepsRepository } from './execution-steps.repository.js';
import { Message } from './message.entity.js';
import { MessagesRepository } from './messages.repository.js';
import { MessagesController } from './messages.controller.js';
import { MessagesService } from './messages.service.js';

@Module({
  imports: [
    TypeOrmModule.forFeature([Message, ExecutionStep]),
    SessionsModule,
    CapsModule,
    WebhooksModule,
  ],
  controllers: [MessagesController],
  providers: [MessagesService, MessagesRepository, ExecutionStepsRepository],
  exports: [MessagesService, MessagesRepository, ExecutionStepsRepository],
})
export class MessagesModule {}
