import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiSessionErrors, MessageDto } from '../common/openapi/api-errors.js';
import { FileContentView, FileListing, FileSavedView, toFileContentView } from './sandbox.views.js';
import { Body, Controller, Delete, Get, HttpCode, Post, UseGuards } from '@nestjs/common';
import type { AuthUser } from '../auth/auth-user.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { CurrentSession } from '../sessions/current-session.decorator.js';
import type { OwnedSession } from '../sessions/owned-session.js';
import { SessionOwnerGuard } from '../sessions/session-owner.guard.js';
import { WriteFileDto } from './dto/write-file.dto.js';
import { SandboxPathParam } from './sandbox-path.decorator.js';
import { SandboxService, type SandboxScope } from './sandbox.service.js';

@ApiTags('sandbox')
@ApiBearerAuth()
@Controller('sessions/:id/sandbox/files')
@UseGuards(SessionOwnerGuard)
export class SandboxFilesController {
  constructor(private readonly sandbox: SandboxService) {}

  @ApiOperation({ summary: 'List the sandbox files' })
  @ApiOkResponse({ type: FileListing })
  @ApiSessionErrors()
  @Get()
  list(@CurrentUser() user: AuthUser, @CurrentSession() session: OwnedSession) {
    return this.sandbox.list(scope(user, session));
  }

  @ApiOperation({ summary: 'Read a file' })
  @ApiParam({
    name: 'filename',
    description: 'relative path, e.g. css/site.css',
    example: 'index.html',
  })
  @ApiOkResponse({ type: FileContentView })
  @ApiSessionErrors(400)
  @Get('*filename')
  async read(
    @CurrentUser() user: AuthUser,
    @CurrentSession() session: OwnedSession,
    @SandboxPathParam() path: string,
  ) {
    return toFileContentView(await this.sandbox.readText(scope(user, session), path));
  }

  @ApiOperation({ summary: 'Create or replace a file' })
  @ApiParam({
    name: 'filename',
    description: 'relative path, e.g. css/site.css',
    example: 'index.html',
  })
  @ApiOkResponse({ type: FileSavedView })
  @ApiSessionErrors(400, 413, 422)
  @Post('*filename')
  @HttpCode(200)
  async write(
    @CurrentUser() user: AuthUser,
    @CurrentSession() session: OwnedSession,
    @SandboxPathParam() path: string,
    @Body() dto: WriteFileDto,
  ) {
    const saved = await this.sandbox.write(scope(user, session), path, dto.content);
    return { ...saved, message: 'File saved successfully' };
  }

  @ApiOperation({ summary: 'Delete a file' })
  @ApiParam({
    name: 'filename',
    description: 'relative path, e.g. css/site.css',
    example: 'index.html',
  })
  @ApiOkResponse({ type: MessageDto })
  @ApiSessionErrors(400)
  @Delete('*filename')
  async remove(
    @CurrentUser() user: AuthUser,
    @CurrentSession() session: OwnedSession,
    @SandboxPathParam() path: string,
  ) {
    await this.sandbox.remove(scope(user, session), path);
    return { message: 'File deleted successfully' };
  }
}

export const scope = (user: AuthUser, session: OwnedSession): SandboxScope => ({
  userId: user.id,
  sessionId: session.id,
});
