import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiSessionErrors } from '../common/openapi/api-errors.js';
import { Controller, Get, UseGuards } from '@nestjs/common';
import { CurrentSession } from '../sessions/current-session.decorator.js';
import type { OwnedSession } from '../sessions/sessions.service.js';
import { SessionOwnerGuard } from '../sessions/session-owner.guard.js';
import { MessageView, StepView, toMessageView, toStepView } from './message.presenter.js';
import { MessagesService } from './messages.service.js';

@ApiTags('messages')
@ApiBearerAuth()
@Controller('sessions/:id/messages')
@UseGuards(SessionOwnerGuard)
export class MessagesController {
  constructor(private readonly messages: MessagesService) {}

  @ApiOperation({ summary: 'The conversation, oldest first' })
  @ApiOkResponse({ type: [MessageView] })
  @ApiSessionErrors()
  @Get()
  async list(@CurrentSession() session: OwnedSession) {
    return (await this.messages.list(session.id)).map(toMessageView);
  }

  @ApiOperation({ summary: 'The tool calls of the latest agent turn, live while it runs' })
  @ApiOkResponse({ type: [StepView] })
  @ApiSessionErrors()
  @Get('latest/execution-steps')
  async latestSteps(@CurrentSession() session: OwnedSession) {
    return (await this.messages.latestSteps(session.id)).map(toStepView);
  }
}
