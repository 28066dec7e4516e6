import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ExecutionStep } from './execution-step.entity.js';
import { ExecutionStepsRepository } from './execution-steps.repository.js';
import { Message } from './message.entity.js';
import { MessagesRepository } from './messages.repository.js';
import { MessagesService } from './messages.service.js';

/**
 * The conversation of a session and the agent's execution steps, with their tables. No routes: the
 * turns module serves `sessions/:id/messages`. The repositories are exported for the turns module,
 * which changes a turn's state, and the agent's runner, which stores its steps.
 */
@Module({
  imports: [TypeOrmModule.forFeature([Message, ExecutionStep])],
  providers: [MessagesService, MessagesRepository, ExecutionStepsRepository],
  exports: [MessagesService, MessagesRepository, ExecutionStepsRepository],
})
export class MessagesModule {}
