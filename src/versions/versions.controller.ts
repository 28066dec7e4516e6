import { Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../users/auth-user.js';
import { CurrentUser } from '../users/current-user.decorator.js';
import { Paginated } from '../common/http/paginated.decorator.js';
import { PageQueryDto } from '../common/http/pagination.js';
import { ApiSessionErrors } from '../common/openapi/api-errors.js';
import { FileContentView, FileListing, toFileContentView } from '../sandbox/sandbox.views.js';
import { SandboxPathParam } from '../sandbox/sandbox-path.decorator.js';
import { CurrentSession } from '../sessions/current-session.decorator.js';
import { SessionOwnerGuard } from '../sessions/session-owner.guard.js';
import type { OwnedSession } from '../sessions/owned-session.js';
import { DiffQueryDto } from './dto/version-query.dto.js';
import { parseVersion, VersionsService } from './versions.service.js';
import {
  DiffView,
  RestoredView,
  toDiffView,
  toRestoredView,
  toVersionDetailView,
  toVersionView,
  VersionDetailView,
  VersionView,
} from './versions.views.js';
import { ApiSessionParam } from '../sessions/api-session-param.decorator.js';

// An integer (parseVersion takes digits only), so the example and the schema agree.
const V = {
  name: 'v',
  type: 'integer',
  minimum: 0,
  description: 'version number (0 = the empty sandbox)',
  example: 3,
} as const;

@ApiTags('versions')
@ApiBearerAuth()
@ApiSessionParam()
@Controller('sessions/:id')
@UseGuards(SessionOwnerGuard)
export class VersionsController {
  constructor(private readonly versions: VersionsService) {}

  @ApiOperation({ summary: 'The versions of the sandbox, newest first, a page at a time' })
  @Paginated(VersionView)
  @ApiSessionErrors(422)
  @Get('versions')
  async list(@CurrentSession() session: OwnedSession, @Query() page: PageQueryDto) {
    return (await this.versions.list(session, page)).map(toVersionView);
  }

  @ApiOperation({ summary: 'One version, each change with its unified diff' })
  @ApiParam(V)
  @ApiOkResponse({ type: VersionDetailView })
  @ApiSessionErrors(400, 410)
  @Get('versions/:v')
  async get(@CurrentSession() session: OwnedSession, @Param('v') v: string) {
    return toVersionDetailView(await this.versions.get(session, parseVersion(v)));
  }

  @ApiOperation({ summary: 'The files as they were at a version' })
  @ApiParam(V)
  @ApiOkResponse({ type: FileListing })
  @ApiSessionErrors(400, 410)
  @Get('versions/:v/files')
  files(@CurrentSession() session: OwnedSession, @Param('v') v: string) {
    return this.versions.files(session, parseVersion(v));
  }

  @ApiOperation({ summary: 'A file as it was at a version' })
  @ApiParam(V)
  @ApiParam({ name: 'path', description: 'relative path, e.g. css/site.css' })
  @ApiOkResponse({ type: FileContentView })
  @ApiSessionErrors(400, 410)
  @Get('versions/:v/files/*')
  async file(
    @CurrentSession() session: OwnedSession,
    @Param('v') v: string,
    @SandboxPathParam() path: string,
  ) {
    return toFileContentView(await this.versions.file(session, parseVersion(v), path));
  }

  @ApiOperation({ summary: 'What changed between two versions, with unified diffs' })
  @ApiOkResponse({ type: DiffView })
  @ApiSessionErrors(410, 422)
  @Get('diff')
  async diff(@CurrentSession() session: OwnedSession, @Query() q: DiffQueryDto) {
    return toDiffView(await this.versions.diff(session, q.from, q.to));
  }

  @ApiOperation({
    summary:
      'Make the sandbox equal to a version again (itself a new version; 409 while a turn runs)',
  })
  @ApiParam(V)
  @ApiOkResponse({ type: RestoredView })
  @ApiSessionErrors(400, 409, 410, 413)
  @Post('versions/:v/restore')
  @HttpCode(200)
  async restore(
    @CurrentUser() user: AuthUser,
    @CurrentSession() session: OwnedSession,
    @Param('v') v: string,
  ) {
    return toRestoredView(
      await this.versions.restore({ userId: user.id, sessionId: session.id }, parseVersion(v)),
    );
  }
}
