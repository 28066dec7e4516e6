import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { AuthUser } from '../users/auth-user.js';
import { AppError, badRequest, conflict, notFound } from '../common/errors/app-error.js';
import { decodeCursor, pageLimit, pageOf, type Page } from '../common/http/pagination.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { Sql } from '../database/sql.service.js';
import type { User } from '../users/user.entity.js';
import { UsersRepository, type UserUsage } from '../users/users.repository.js';
import { assertAdmin } from './admin.guard.js';
import type { AdminPageQueryDto } from './dto/page-query.dto.js';
import type { UpdateUserDto } from './dto/update-user.dto.js';
import { UsersService } from '../users/users.service.js';

const MAX_INT4 = 2_147_483_647;

/** An admin list's cursor: [id of the last user of the page before]; users are listed by id. */
const parseUserCursor = ([id, ...rest]: unknown[]): number | undefined =>
  rest.length === 0 && Number.isInteger(id) && (id as number) > 0 && (id as number) <= MAX_INT4
    ? (id as number)
    : undefined;

@Injectable()
export class AdminService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Admin');

  constructor(
    private readonly sql: Sql,
    private readonly users: UsersRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly usersService: UsersService,
  ) {}

  /**
   * ADMIN_USERNAMES only bootstraps: while the deployment has no active admin, the listed existing
   * users become admins. Once there is one, the list is ignored, so a demotion lasts. Replicas
   * starting together take turns on the admin-roles lock, so the second sees the first's admins.
   */
  async onApplicationBootstrap(): Promise<void> {
    const names = this.config.adminUsernames;
    if (!names.length) {
      return;
    }
    const promoted = await this.sql.transaction(async (tx) => {
      await this.users.lockAdminRoles(tx);
      return this.users.promoteIfNoAdmin(tx, names);
    });
    if (promoted.length) {
      this.logger.log(`ADMIN_USERNAMES: no admin yet, promoted ${promoted.join(', ')} to admin`);
    }
  }

  async listUsers(actor: AuthUser, query: AdminPageQueryDto): Promise<Page<User>> {
    assertAdmin(actor);
    const limit = pageLimit(query);
    const afterId = decodeCursor(query.before, parseUserCursor);
    const users = await this.users.pageAfter(afterId, limit + 1, query.offset ?? 0);
    return pageOf(users, limit, (last) => [last.id]);
  }

  async updateUser(actor: AuthUser, userId: string, changes: UpdateUserDto): Promise<User> {
    assertAdmin(actor);
    const { tier, disabled, role } = changes;
    if (tier === undefined && disabled === undefined && role === undefined) {
      throw new AppError(
        'validation',
        'Validation failed: give at least one of tier, disabled, role',
        [{ field: 'body', message: 'at least one of tier, disabled, role is required' }],
      );
    }
    const id = /^\d+$/.test(userId) ? Number(userId) : NaN;
    const saved = await this.sql.transaction(async (tx) => {
      // Changes that can take an admin away are serialised, so two admins demoting each other at
      // once cannot both pass the last-admin check below.
      if (disabled !== undefined || role !== undefined) {
        await this.users.lockAdminRoles(tx);
      }
      const user = id <= MAX_INT4 ? await this.users.findById(id, tx) : null;
      if (!user) {
        throw notFound('User not found');
      }
      // Lock-out guard: an admin cannot take away their own access; another admin has to.
      if (user.id === actor.id && (disabled === true || role === 'user')) {
        throw badRequest('Admins cannot disable themselves or remove their own admin role');
      }
      const removesAdmin =
        user.role === 'admin' && !user.disabled && (disabled === true || role === 'user');
      if (removesAdmin && (await this.users.countActiveAdmins(tx)) <= 1) {
        throw conflict(
          'This is the last active admin: promote another user before demoting or disabling them',
        );
      }
      return this.users.update(tx, user.id, { tier, disabled, role });
    });
    this.usersService.invalidate(saved.id);
    return saved;
  }

  async usage(actor: AuthUser, query: AdminPageQueryDto): Promise<Page<UserUsage>> {
    assertAdmin(actor);
    const limit = pageLimit(query);
    const afterId = decodeCursor(query.before, parseUserCursor);
    const rows = await this.users.usageAfter(afterId, limit + 1, query.offset ?? 0);
    return pageOf(rows, limit, (last) => [last.userId]);
  }
}
