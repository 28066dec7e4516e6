import { Body, Controller, Get, HttpCode, Post, Query, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { AuthUser } from '../users/auth-user.js';
import { CurrentUser } from '../users/current-user.decorator.js';
import { BodyLimit } from '../common/http/body-limit.decorator.js';
import { ApiSessionErrors } from '../common/openapi/api-errors.js';
import { CurrentSession } from '../sessions/current-session.decorator.js';
import { SessionOwnerGuard } from '../sessions/session-owner.guard.js';
import type { OwnedSession } from '../sessions/owned-session.js';
import { ArchivesService } from './archives.service.js';
import { ArchiveQueryDto, ImportQueryDto } from './dto/version-query.dto.js';
import { ImportedView, toImportedView } from './versions.views.js';
import { ApiSessionParam } from '../sessions/api-session-param.decorator.js';

/** Zip imports are read raw up to this (the contract's 50 MiB). */
const ARCHIVE_IMPORT_BYTES = 50 * 1024 * 1024;

@ApiTags('versions')
@ApiBearerAuth()
@ApiSessionParam()
@Controller('sessions/:id/sandbox/archive')
@UseGuards(SessionOwnerGuard)
export class ArchivesController {
  constructor(private readonly archives: ArchivesService) {}

  @ApiOperation({ summary: 'Download the sandbox (or a version of it) as a zip' })
  @ApiOkResponse({
    description: 'the zip, as an attachment',
    content: { 'application/zip': { schema: { type: 'string', format: 'binary' } } },
  })
  @ApiSessionErrors(410, 422)
  @Get()
  export(@CurrentSession() session: OwnedSession, @Query() q: ArchiveQueryDto) {
    return this.archives.export(session, q.version);
  }

  @ApiOperation({
    summary:
      'Upload a zip (raw body, up to 50 MiB): every entry written as one version; ?replace=true removes the rest',
  })
  @ApiConsumes('application/zip')
  @ApiBody({ schema: { type: 'string', format: 'binary' } })
  @ApiOkResponse({ type: ImportedView })
  @ApiSessionErrors(400, 409, 413, 422)
  @Post()
  @BodyLimit(ARCHIVE_IMPORT_BYTES, { parser: 'raw', type: 'application/zip' })
  @HttpCode(200)
  async import(
    @CurrentUser() user: AuthUser,
    @CurrentSession() session: OwnedSession,
    @Query() q: ImportQueryDto,
    @Body() body: unknown,
  ) {
    return toImportedView(
      await this.archives.import(
        { userId: user.id, sessionId: session.id },
        body,
        q.replace ?? false,
      ),
    );
  }
}
