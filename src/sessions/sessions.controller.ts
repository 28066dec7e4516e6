import { Body, Controller, Delete, Get, Param, Patch, Post } from '@nestjs/common';
import type { AuthUser } from '../auth/auth-user.js';
import { CurrentUser } from '../common/decorators/current-user.decorator.js';
import { SessionTitleDto } from './dto/session-title.dto.js';
import { toSessionView } from './session.presenter.js';
import { SessionsService } from './sessions.service.js';

@Controller('sessions')
export class SessionsController {
  constructor(private readonly sessions: SessionsService) {}

  @Get()
  async list(@CurrentUser() user: AuthUser) {
    return (await this.sessions.list(user.id)).map(toSessionView);
  }

  @Post()
  async create(@CurrentUser() user: AuthUser, @Body() dto: SessionTitleDto) {
    return toSessionView(await this.sessions.create(user.id, dto.title));
  }

  @Get(':id')
  async get(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return toSessionView(await this.sessions.getOwned(user.id, id));
  }

  @Patch(':id')
  async rename(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Body() dto: SessionTitleDto,
  ) {
    return toSessionView(await this.sessions.rename(user.id, id, dto.title));
  }

  @Delete(':id')
  async remove(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    await this.sessions.remove(user.id, id);
    return { message: 'Session deleted successfully' };
  }
}
