import {
  ApiBearerAuth,
  ApiExcludeEndpoint,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import { BodyLimit } from '../common/http/body-limit.decorator.js';
import { PreviewHeaders } from '../common/http/security-headers.js';
import { ApiSessionErrors } from '../common/openapi/api-errors.js';
import { PreviewErrorsView, PreviewTokenView, toPreviewErrorView } from './sandbox.views.js';
import { Body, Controller, Get, HttpCode, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { AuthUser } from '../users/auth-user.js';
import { PreviewRoute } from '../auth/guards/preview-route.decorator.js';
import { CurrentUser } from '../users/current-user.decorator.js';
import type { AuthedRequest, TokenSource } from '../users/authed-request.js';
import { CurrentSession } from '../sessions/current-session.decorator.js';
import type { OwnedSession } from '../sessions/owned-session.js';
import { SessionOwnerGuard } from '../sessions/session-owner.guard.js';
import { PreviewErrorReportDto } from './dto/preview-error-report.dto.js';
import { PreviewErrorsService } from './preview-errors/preview-errors.service.js';
import { PreviewService } from './preview.service.js';
import { SandboxPathParam } from './sandbox-path.decorator.js';
import { sendPreviewResult } from './send-sandbox-file.js';
import { ApiSessionParam } from '../sessions/api-session-param.decorator.js';

/** One preview error report: two 2 KB texts and a few numbers, with room for JSON escapes. */
const PREVIEW_REPORT_BYTES = 32 * 1024;

const source = (req: AuthedRequest): TokenSource =>
  req.tokenSource ?? { kind: 'access', fromUrl: false, token: '' };

@ApiTags('preview')
@ApiBearerAuth()
@ApiSessionParam()
@Controller('sessions/:id/sandbox')
@UseGuards(SessionOwnerGuard)
export class SandboxPreviewController {
  constructor(
    private readonly preview: PreviewService,
    private readonly previewErrors: PreviewErrorsService,
  ) {}

  @ApiOperation({ summary: 'A 10-minute token that opens only this session’s preview' })
  @ApiOkResponse({ type: PreviewTokenView })
  @ApiSessionErrors()
  @Post('preview-token')
  @HttpCode(200)
  issueToken(@CurrentUser() user: AuthUser, @CurrentSession() session: OwnedSession) {
    return this.preview.issueToken(user, session.id);
  }

  @ApiOperation({ summary: 'index.html for an iframe (CSP sandbox, opaque origin)' })
  @ApiQuery({
    name: 'token',
    required: false,
    description: 'access or preview token, for browsers that cannot send a header',
  })
  @ApiOkResponse({
    description: 'the page',
    content: { 'text/html': { schema: { type: 'string' } } },
  })
  @ApiResponse({
    status: 302,
    description: 'an access token in ?token= is swapped for a preview token',
  })
  @ApiSessionErrors()
  @PreviewRoute()
  @PreviewHeaders()
  @Get('preview')
  async entry(
    @CurrentUser() user: AuthUser,
    @CurrentSession() session: OwnedSession,
    @Req() req: AuthedRequest,
    @Res() res: object,
  ) {
    sendPreviewResult(res, await this.preview.entry(user, session.id, source(req)));
  }

  @ApiOperation({ summary: 'A sandbox file, raw, with the Content-Type of its extension' })
  @ApiParam({
    name: 'path',
    description: 'relative path, e.g. css/site.css',
    example: 'index.html',
  })
  @ApiQuery({
    name: 'token',
    required: false,
    description: 'access or preview token, for browsers that cannot send a header',
  })
  @ApiOkResponse({
    description: 'the file',
    content: { '*/*': { schema: { type: 'string', format: 'binary' } } },
  })
  @ApiResponse({
    status: 302,
    description: 'an access token in ?token= is swapped for a preview token',
  })
  @ApiSessionErrors(400)
  @PreviewRoute()
  @PreviewHeaders()
  @Get('static/*')
  async asset(
    @CurrentUser() user: AuthUser,
    @CurrentSession() session: OwnedSession,
    @SandboxPathParam() path: string,
    @Req() req: AuthedRequest,
    @Res() res: object,
  ) {
    sendPreviewResult(res, await this.preview.asset(user, session.id, path, source(req)));
  }

  @ApiOperation({
    summary: 'What the preview’s relative links load: a file under a preview token in the path',
  })
  @ApiParam({ name: 'token', description: 'a preview token' })
  @ApiParam({
    name: 'path',
    required: false,
    description: 'relative path; empty for index.html',
  })
  @ApiOkResponse({
    description: 'the file',
    content: { '*/*': { schema: { type: 'string', format: 'binary' } } },
  })
  @ApiSessionErrors(400)
  @PreviewRoute()
  @PreviewHeaders({ anyOrigin: true })
  @Get('site/:token/*')
  async siteFile(
    @CurrentUser() user: AuthUser,
    @CurrentSession() session: OwnedSession,
    @Param('token') token: string,
    @SandboxPathParam({ optional: true }) path: string | undefined,
    @Res() res: object,
  ) {
    const result = await this.preview.siteFile(user, session.id, token, path);
    // The page's own fetch(), module scripts and fonts come from its opaque origin: CORS mode.
    sendPreviewResult(res, result, { crossOrigin: true });
  }

  /** `site/<token>` with no path (the router's `*` needs a `/`): the page itself, as documented above. */
  @ApiExcludeEndpoint()
  @PreviewRoute()
  @PreviewHeaders({ anyOrigin: true })
  @Get('site/:token')
  siteIndex(
    @CurrentUser() user: AuthUser,
    @CurrentSession() session: OwnedSession,
    @Param('token') token: string,
    @Res() res: object,
  ) {
    return this.siteFile(user, session, token, undefined, res);
  }

  @ApiOperation({
    summary: 'Where the preview page reports a runtime error (its injected script posts here)',
    description:
      'text/plain JSON, so the opaque-origin page needs no CORS preflight; the preview token in the path is the credential',
  })
  @ApiParam({ name: 'token', description: 'a preview token' })
  @ApiResponse({ status: 204, description: 'stored' })
  @ApiSessionErrors(422)
  @PreviewRoute()
  @PreviewHeaders({ anyOrigin: true })
  @Post('site/:token/__errors')
  @BodyLimit(PREVIEW_REPORT_BYTES, { type: 'text/plain' })
  @HttpCode(204)
  async reportError(
    @CurrentUser() user: AuthUser,
    @CurrentSession() session: OwnedSession,
    @Body() body: PreviewErrorReportDto,
  ): Promise<void> {
    await this.previewErrors.record(user, session.id, {
      kind: body.kind,
      message: body.message,
      source: body.source ?? null,
      line: body.line ?? null,
      column: body.column ?? null,
      version: body.version,
    });
  }

  @ApiOperation({ summary: 'The last 50 runtime errors the preview page reported, newest first' })
  @ApiOkResponse({ type: PreviewErrorsView })
  @ApiSessionErrors()
  @Get('preview-errors')
  async errors(
    @CurrentUser() user: AuthUser,
    @CurrentSession() session: OwnedSession,
  ): Promise<PreviewErrorsView> {
    const errors = await this.previewErrors.list(user.id, session.id);
    return { errors: errors.map(toPreviewErrorView) };
  }
}
