import { Body, Controller, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../users/auth-user.js';
import { CurrentUser } from '../users/current-user.decorator.js';
import { ApiSessionErrors } from '../common/openapi/api-errors.js';
import { CurrentSession } from '../sessions/current-session.decorator.js';
import { SessionOwnerGuard } from '../sessions/session-owner.guard.js';
import type { OwnedSession } from '../sessions/owned-session.js';
import { SessionView, toSessionView } from '../sessions/sessions.views.js';
import { ForkDto } from './dto/version-query.dto.js';
import { ForkService } from './fork.service.js';
import { ApiSessionParam } from '../sessions/api-session-param.decorator.js';

@ApiTags('versions')
@ApiBearerAuth()
@ApiSessionParam()
@Controller('sessions/:id/fork')
@UseGuards(SessionOwnerGuard)
export class ForkController {
  constructor(private readonly forks: ForkService) {}

  @ApiOperation({
    summary:
      'A new session of yours with the files of a version (default: current) and the conversation up to the turn that made it',
  })
  @ApiCreatedResponse({ type: SessionView })
  @ApiSessionErrors(410, 413, 422)
  @Post()
  async fork(
    @CurrentUser() user: AuthUser,
    @CurrentSession() session: OwnedSession,
    @Body() dto: ForkDto,
  ) {
    return toSessionView(await this.forks.fork({ id: session.id, userId: user.id }, dto));
  }
}
