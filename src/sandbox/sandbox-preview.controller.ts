import { Controller, Get, HttpCode, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import type { AuthUser } from '../auth/auth-user.js';
import { PreviewRoute } from '../auth/guards/preview-route.decorator.js';
import { CurrentUser } from '../common/decorators/current-user.decorator.js';
import type { AuthedRequest, TokenSource } from '../common/http/authed-request.js';
import { CurrentSession } from '../sessions/current-session.decorator.js';
import type { Session } from '../sessions/session.entity.js';
import { SessionOwnerGuard } from '../sessions/session-owner.guard.js';
import { PreviewService } from './preview.service.js';
import { SandboxPathParam } from './sandbox-path.decorator.js';
import { sendPreviewResult } from './send-sandbox-file.js';

const source = (req: AuthedRequest): TokenSource =>
  req.tokenSource ?? { kind: 'access', fromUrl: false, token: '' };

@Controller('sessions/:id/sandbox')
@UseGuards(SessionOwnerGuard)
export class SandboxPreviewController {
  constructor(private readonly preview: PreviewService) {}

  @Post('preview-token')
  @HttpCode(200)
  issueToken(@CurrentUser() user: AuthUser, @CurrentSession() session: Session) {
    return this.preview.issueToken(user, session.id);
  }

  @PreviewRoute()
  @Get('preview')
  async entry(
    @CurrentUser() user: AuthUser,
    @CurrentSession() session: Session,
    @Req() req: AuthedRequest,
    @Res() res: Response,
  ) {
    sendPreviewResult(res, await this.preview.entry(user, session.id, source(req)));
  }

  @PreviewRoute()
  @Get('static/*filename')
  async asset(
    @CurrentUser() user: AuthUser,
    @CurrentSession() session: Session,
    @SandboxPathParam() path: string,
    @Req() req: AuthedRequest,
    @Res() res: Response,
  ) {
    sendPreviewResult(res, await this.preview.asset(user, session.id, path, source(req)));
  }

  @PreviewRoute()
  @Get('site/:token{/*filename}')
  async siteFile(
    @CurrentUser() user: AuthUser,
    @CurrentSession() session: Session,
    @SandboxPathParam({ optional: true }) path: string | undefined,
    @Res() res: Response,
  ) {
    sendPreviewResult(res, await this.preview.siteFile(user, session.id, path));
  }
}
