import { Controller, Get, UseGuards } from '@nestjs/common';
import { CurrentSession } from '../sessions/current-session.decorator.js';
import type { Session } from '../sessions/session.entity.js';
import { SessionOwnerGuard } from '../sessions/session-owner.guard.js';
import { toMessageView, toStepView } from './message.presenter.js';
import { MessagesService } from './messages.service.js';

@Controller('sessions/:id/messages')
@UseGuards(SessionOwnerGuard)
export class MessagesController {
  constructor(private readonly messages: MessagesService) {}

  @Get()
  async list(@CurrentSession() session: Session) {
    return (await this.messages.list(session.id)).map(toMessageView);
  }

  @Get('latest/execution-steps')
  async latestSteps(@CurrentSession() session: Session) {
    return (await this.messages.latestSteps(session.id)).map(toStepView);
  }
}
