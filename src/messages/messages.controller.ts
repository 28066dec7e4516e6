import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiSessionErrors } from '../common/openapi/api-errors.js';
import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { Paginated } from '../common/http/paginated.decorator.js';
import { PageQueryDto } from '../common/http/pagination.js';
import { CurrentSession } from '../sessions/current-session.decorator.js';
import type { OwnedSession } from '../sessions/owned-session.js';
import { SessionOwnerGuard } from '../sessions/session-owner.guard.js';
import { MessageView, StepView, toMessageView, toStepView } from './messages.views.js';
import { MessagesService } from './messages.service.js';
import { ApiSessionParam } from '../sessions/api-session-param.decorator.js';

@ApiTags('messages')
@ApiBearerAuth()
@ApiSessionParam()
@Controller('sessions/:id/messages')
@UseGuards(SessionOwnerGuard)
export class MessagesController {
  constructor(private readonly messages: MessagesService) {}

  @ApiOperation({
    summary: 'The conversation, oldest first, a page at a time',
    description:
      'The first page is the newest `limit` messages (default 100, max 500), oldest first. ' +
      'The `Link: <…>; rel="next"` URL gives the messages just before them (older), oldest first ' +
      'again — what a chat shows when you scroll up. No Link header: the start of the conversation.',
  })
  @Paginated(MessageView)
  @ApiSessionErrors(422)
  @Get()
  async list(@CurrentSession() session: OwnedSession, @Query() page: PageQueryDto) {
    return (await this.messages.list(session, page)).map(toMessageView);
  }

  @ApiOperation({ summary: 'The tool calls of the latest agent turn, live while it runs' })
  @ApiOkResponse({ type: [StepView] })
  @ApiSessionErrors()
  @Get('latest/execution-steps')
  async latestSteps(@CurrentSession() session: OwnedSession) {
    return (await this.messages.latestSteps(session)).map(toStepView);
  }
}
