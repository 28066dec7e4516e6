import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ApiErrors, ApiSessionErrors, MessageDto } from '../common/openapi/api-errors.js';
import { Body, Controller, Delete, Get, Param, Patch, Post, Query, Req, Res } from '@nestjs/common';
import type { AuthUser } from '../users/auth-user.js';
import { CurrentUser } from '../users/current-user.decorator.js';
import { Paginated } from '../common/http/paginated.decorator.js';
import { PageQueryDto } from '../common/http/pagination.js';
import { IDEMPOTENCY_API_HEADER } from '../idempotency/idempotency-api.js';
import { IdempotencyService, type IdempotentRequest } from '../idempotency/idempotency.service.js';
import { CreateSessionDto, UpdateSessionDto } from './dto/session-body.dto.js';
import { SessionView, toSessionView } from './sessions.views.js';
import { SessionsService } from './sessions.service.js';

@ApiTags('sessions')
@ApiBearerAuth()
@Controller('sessions')
export class SessionsController {
  constructor(
    private readonly sessions: SessionsService,
    private readonly idempotency: IdempotencyService,
  ) {}

  @ApiOperation({
    summary: 'Your sessions, most recently updated first, a page at a time (`?limit=`, `?before=`)',
  })
  @Paginated(SessionView)
  @ApiErrors(401, 422)
  @Get()
  async list(@CurrentUser() user: AuthUser, @Query() page: PageQueryDto) {
    return (await this.sessions.list(user.id, page)).map(toSessionView);
  }

  @ApiOperation({ summary: 'Create a session' })
  @ApiCreatedResponse({ type: SessionView })
  @ApiHeader(IDEMPOTENCY_API_HEADER)
  @ApiErrors(401, 403, 409, 422)
  @Post()
  async create(
    @CurrentUser() user: AuthUser,
    @Body() dto: CreateSessionDto,
    @Req() req: IdempotentRequest,
    @Res() res: object,
  ): Promise<void> {
    await this.idempotency.respond(req, res, user.id, async () => ({
      status: 201,
      body: toSessionView(await this.sessions.create(user.id, dto.title, dto.model)),
    }));
  }

  @ApiOperation({ summary: 'One session' })
  @ApiOkResponse({ type: SessionView })
  @ApiSessionErrors()
  @Get(':id')
  async get(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return toSessionView(await this.sessions.getOwned(user.id, id));
  }

  @ApiOperation({ summary: 'Rename a session' })
  @ApiOkResponse({ type: SessionView })
  @ApiSessionErrors(422)
  @Patch(':id')
  async rename(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Body() dto: UpdateSessionDto,
  ) {
    return toSessionView(
      await this.sessions.update(user.id, id, { title: dto.title, model: dto.model }),
    );
  }

  @ApiOperation({ summary: 'Delete a session with its messages, steps and files' })
  @ApiOkResponse({ type: MessageDto })
  @ApiSessionErrors()
  @Delete(':id')
  async remove(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    await this.sessions.remove(user.id, id);
    return { message: 'Session deleted successfully' };
  }
}
