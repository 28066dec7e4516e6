import { Body, Controller, Get, Param, Patch, Query } from '@nestjs/common';
import type { AuthUser } from '../users/auth-user.js';
import { CurrentUser } from '../users/current-user.decorator.js';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Paginated } from '../common/http/paginated.decorator.js';
import { ApiErrors } from '../common/openapi/api-errors.js';
import { AdminOnly } from './admin-only.decorator.js';
import { AdminUserView, toAdminUserView, toUsageView, UsageView } from './admin.views.js';
import { AdminService } from './admin.service.js';
import { AdminPageQueryDto } from './dto/page-query.dto.js';
import { UpdateUserDto } from './dto/update-user.dto.js';

@ApiTags('admin')
@ApiBearerAuth()
@AdminOnly()
@Controller('admin')
export class AdminController {
  constructor(private readonly admin: AdminService) {}

  @ApiOperation({ summary: 'Users, by id, a page at a time (`?limit=`, `?before=`)' })
  @Paginated(AdminUserView)
  @ApiErrors(401, 403, 422)
  @Get('users')
  async listUsers(@CurrentUser() user: AuthUser, @Query() page: AdminPageQueryDto) {
    return (await this.admin.listUsers(user, page)).map(toAdminUserView);
  }

  @ApiOperation({ summary: 'Change a user’s tier, disabled flag or role' })
  @ApiOkResponse({ type: AdminUserView })
  @ApiErrors(400, 401, 403, 404, 409, 422)
  @Patch('users/:id')
  async updateUser(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Body() dto: UpdateUserDto,
  ) {
    return toAdminUserView(await this.admin.updateUser(user, id, dto));
  }

  @ApiOperation({ summary: 'Messages, runs, tokens and sandbox bytes per user, by user id, paged' })
  @Paginated(UsageView)
  @ApiErrors(401, 403, 422)
  @Get('usage')
  async usage(@CurrentUser() user: AuthUser, @Query() page: AdminPageQueryDto) {
    return (await this.admin.usage(user, page)).map(toUsageView);
  }
}
