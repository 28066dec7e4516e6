import {
  ApiBearerAuth,
  ApiExtraModels,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import { BodyLimit } from '../common/http/body-limit.decorator.js';
import { ApiSessionErrors } from '../common/openapi/api-errors.js';
import {
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  Post,
  Query,
  Req,
  Res,
  UseGuards,
} from '@nestjs/common';
import type { AuthUser } from '../users/auth-user.js';
import { CurrentUser } from '../users/current-user.decorator.js';
import { AppError } from '../common/errors/app-error.js';
import { Paginated } from '../common/http/paginated.decorator.js';
import { PageQueryDto } from '../common/http/pagination.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { IDEMPOTENCY_API_HEADER } from '../idempotency/idempotency-api.js';
import { IdempotencyService, type IdempotentRequest } from '../idempotency/idempotency.service.js';
import { MessagesService } from '../messages/messages.service.js';
import { MessageView, StepView, toMessageView, toStepView } from '../messages/messages.views.js';
import { CurrentSession } from '../sessions/current-session.decorator.js';
import type { OwnedSession } from '../sessions/owned-session.js';
import { SessionOwnerGuard } from '../sessions/session-owner.guard.js';
import { RunFollowService } from './events/run-follow.service.js';
import { PostMessageDto } from './dto/post-message.dto.js';
import { TurnsService } from './turns.service.js';
import { SseStream } from './sse-stream.js';
import { StreamSlots } from './stream-slots.service.js';
import { ApiSessionParam } from '../sessions/api-session-param.decorator.js';

export class CancelView {
  @ApiProperty({ example: 'Cancellation requested' })
  message!: string;

  @ApiProperty({ example: 4 })
  message_id!: number;
}

@ApiTags('messages')
@ApiBearerAuth()
@ApiSessionParam()
@Controller('sessions/:id/messages')
@UseGuards(SessionOwnerGuard)
/** A session's conversation: reading it; posting to it, which runs a turn; following and stopping that turn. */
export class MessagesController {
  constructor(
    private readonly messages: MessagesService,
    private readonly turns: TurnsService,
    private readonly follower: RunFollowService,
    private readonly slots: StreamSlots,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly idempotency: IdempotencyService,
  ) {}

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

  /** Runs one agent turn: the stored assistant message as JSON, or the run's events as SSE. */
  @ApiOperation({
    summary:
      'Send a message: the agent builds, and answers when done (or streams with stream: true)',
  })
  @ApiOkResponse({
    description: 'the stored assistant message; with stream: true, text/event-stream events',
    content: {
      'application/json': { schema: { $ref: getSchemaPath(MessageView) } },
      'text/event-stream': {
        schema: { type: 'string', description: 'user_message, step, delta, then done or error' },
      },
    },
  })
  @ApiExtraModels(MessageView)
  @ApiHeader(IDEMPOTENCY_API_HEADER)
  @ApiSessionErrors(409, 422, 429, 502, 503)
  @Post()
  @BodyLimit((http) => http.bodyLimitMessageBytes)
  @HttpCode(200)
  async post(
    @CurrentUser() user: AuthUser,
    @CurrentSession() session: OwnedSession,
    @Body() dto: PostMessageDto,
    @Req() req: IdempotentRequest,
    @Res() res: object,
  ): Promise<void> {
    if (dto.stream) {
      const sse = this.openStream(user, res);
      await this.turns.start(user, session.id, dto.content, (e) => sse.send(e));
      return;
    }
    await this.idempotency.respond(req, res, user.id, async () => {
      const { finished } = await this.turns.start(user, session.id, dto.content);
      const { message, outcome } = await finished;
      if (outcome.finishReason === 'provider_error') {
        throw new AppError('provider_failed', message.content);
      }
      if (outcome.finishReason === 'error') {
        throw new Error(`agent turn ${message.id} failed internally`);
      }
      return { status: 200, body: toMessageView(message) };
    });
  }

  /** The current turn as SSE from any replica: its steps so far, then live events until it ends. */
  @ApiOperation({
    summary: 'Follow the current turn from any replica: its steps so far, then live events',
  })
  @ApiOkResponse({
    description: 'SSE: step, delta, then done or error',
    content: { 'text/event-stream': { schema: { type: 'string' } } },
  })
  @ApiSessionErrors()
  @Get('latest/events')
  async events(
    @CurrentUser() user: AuthUser,
    @CurrentSession() session: OwnedSession,
    @Res() res: object,
  ): Promise<void> {
    const sse = this.openStream(user, res);
    const unsubscribe = await this.follower.followLatest(user, session.id, (e) => sse.send(e));
    sse.onClose(unsubscribe);
    sse.open();
  }

  /** A stream counted against the user's open streams (429 past the cap) until it closes, however. */
  private openStream(user: AuthUser, res: object): SseStream {
    const release = this.slots.acquire(user.id);
    const sse = new SseStream(res, {
      heartbeatMs: this.config.http.sseHeartbeatMs,
      maxBufferedBytes: this.config.http.sseMaxBufferedBytes,
    });
    // The response closing covers every end: done/error, the client leaving, or an error answer instead.
    sse.onClose(release);
    return sse;
  }

  @ApiOperation({ summary: 'Stop the running turn, wherever it runs' })
  @ApiOkResponse({ type: CancelView })
  @ApiSessionErrors(409)
  @Post('latest/cancel')
  @HttpCode(200)
  cancel(@CurrentUser() user: AuthUser, @CurrentSession() session: OwnedSession) {
    return this.turns.cancel(user, session.id);
  }
}
