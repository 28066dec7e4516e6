import {
  ApiBearerAuth,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { HttpAdapterHost } from '@nestjs/core';
import { BodyLimit } from '../common/http/body-limit.decorator.js';
import { ApiSessionErrors, MessageDto } from '../common/openapi/api-errors.js';
import { FileContentView, FileListing, FileSavedView, toFileContentView } from './sandbox.views.js';
import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Post,
  Res,
  UseGuards,
} from '@nestjs/common';
import type { AuthUser } from '../users/auth-user.js';
import { CurrentUser } from '../users/current-user.decorator.js';
import { CurrentSession } from '../sessions/current-session.decorator.js';
import type { OwnedSession } from '../sessions/owned-session.js';
import { SessionOwnerGuard } from '../sessions/session-owner.guard.js';
import { WriteFileDto } from './dto/write-file.dto.js';
import { SandboxPathParam } from './sandbox-path.decorator.js';
import { SandboxService, type SandboxScope } from './sandbox.service.js';
import { ApiSessionParam } from '../sessions/api-session-param.decorator.js';

const IF_MATCH = {
  name: 'If-Match',
  required: false,
  description:
    'the ETag of the file as you read it: the change is made only if it is still that (else 412)',
};
const ETAG_HEADER = {
  ETag: { description: 'strong tag of the content (its SHA-256)', schema: { type: 'string' } },
};

@ApiTags('sandbox')
@ApiBearerAuth()
@ApiSessionParam()
@Controller('sessions/:id/sandbox/files')
@UseGuards(SessionOwnerGuard)
export class SandboxFilesController {
  constructor(
    private readonly sandbox: SandboxService,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  @ApiOperation({ summary: 'List the sandbox files' })
  @ApiOkResponse({ type: FileListing })
  @ApiSessionErrors()
  @Get()
  list(@CurrentUser() user: AuthUser, @CurrentSession() session: OwnedSession) {
    return this.sandbox.list(scope(user, session));
  }

  @ApiOperation({ summary: 'Read a file' })
  @ApiParam({
    name: 'path',
    description: 'relative path, e.g. css/site.css',
    example: 'index.html',
  })
  @ApiOkResponse({ type: FileContentView, headers: ETAG_HEADER })
  @ApiSessionErrors(400)
  @Get('*')
  async read(
    @CurrentUser() user: AuthUser,
    @CurrentSession() session: OwnedSession,
    @SandboxPathParam() path: string,
    @Res({ passthrough: true }) res: object,
  ) {
    const { file, etag } = await this.sandbox.readTagged(scope(user, session), path);
    this.adapterHost.httpAdapter.setHeader(res, 'ETag', etag);
    return toFileContentView(file);
  }

  @ApiOperation({ summary: 'Create or replace a file' })
  @ApiParam({
    name: 'path',
    description: 'relative path, e.g. css/site.css',
    example: 'index.html',
  })
  @ApiHeader(IF_MATCH)
  @ApiOkResponse({ type: FileSavedView, headers: ETAG_HEADER })
  @ApiSessionErrors(400, 412, 413, 422)
  @Post('*')
  @BodyLimit((http) => http.bodyLimitBytes)
  @HttpCode(200)
  async write(
    @CurrentUser() user: AuthUser,
    @CurrentSession() session: OwnedSession,
    @SandboxPathParam() path: string,
    @Body() dto: WriteFileDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) res: object,
  ) {
    const saved = await this.sandbox.write(scope(user, session), path, dto.content, { ifMatch });
    this.adapterHost.httpAdapter.setHeader(res, 'ETag', saved.etag);
    return { filename: saved.filename, size: saved.size, message: 'File saved successfully' };
  }

  @ApiOperation({ summary: 'Delete a file' })
  @ApiParam({
    name: 'path',
    description: 'relative path, e.g. css/site.css',
    example: 'index.html',
  })
  @ApiHeader(IF_MATCH)
  @ApiOkResponse({ type: MessageDto })
  @ApiSessionErrors(400, 412)
  @Delete('*')
  async remove(
    @CurrentUser() user: AuthUser,
    @CurrentSession() session: OwnedSession,
    @SandboxPathParam() path: string,
    @Headers('if-match') ifMatch: string | undefined,
  ) {
    await this.sandbox.remove(scope(user, session), path, { ifMatch });
    return { message: 'File deleted successfully' };
  }
}

export const scope = (user: AuthUser, session: OwnedSession): SandboxScope => ({
  userId: user.id,
  sessionId: session.id,
});
