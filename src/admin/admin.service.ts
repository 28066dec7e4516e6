import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { MoreThan, Repository } from 'typeorm';
import type { AuthUser } from '../auth/auth-user.js';
import { AppError, badRequest, notFound } from '../common/errors/app-error.js';
import { decodeCursor, pageLimit, pageOf, type Page } from '../common/http/pagination.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { User } from '../users/user.entity.js';
import { assertAdmin } from './admin.guard.js';
import { toAdminUserView, type AdminUserView, type UsageView } from './admin.presenter.js';
import type { AdminPageQueryDto } from './dto/page-query.dto.js';
import type { UpdateUserDto } from './dto/update-user.dto.js';
import { UsersService } from '../users/users.service.js';

const MAX_INT4 = 2_147_483_647;

/** An admin list's cursor: [id of the last user of the page before]; users are listed by id. */
const parseUserCursor = ([id, ...rest]: unknown[]): number | undefined =>
  rest.length === 0 && Number.isInteger(id) && (id as number) > 0 && (id as number) <= MAX_INT4
    ? (id as number)
    : undefined;

/** Per-user totals in one statement: messages and sessions are aggregated once each, then joined. */
const USAGE_SQL = `
  SELECT u.id AS user_id, u.username, u.tier,
         COALESCE(m.messages, 0)          AS messages,
         COALESCE(m.runs, 0)              AS runs,
         COALESCE(m.prompt_tokens, 0)     AS prompt_tokens,
         COALESCE(m.completion_tokens, 0) AS completion_tokens,
         COALESCE(s.sandbox_bytes, 0)     AS sandbox_bytes
    FROM users u
    LEFT JOIN (
      SELECT user_id, sum(sandbox_bytes) AS sandbox_bytes FROM sessions GROUP BY user_id
    ) s ON s.user_id = u.id
    LEFT JOIN (
      SELECT se.user_id,
             count(*) AS messages,
             count(*) FILTER (WHERE msg.role = 'assistant') AS runs,
             sum(msg.prompt_tokens) FILTER (WHERE msg.role = 'assistant') AS prompt_tokens,
             sum(msg.completion_tokens) FILTER (WHERE msg.role = 'assistant') AS completion_tokens
        FROM messages msg
        JOIN sessions se ON se.id = msg.session_id
       GROUP BY se.user_id
    ) m ON m.user_id = u.id
   WHERE $3::int IS NULL OR u.id > $3
   ORDER BY u.id
   LIMIT $1 OFFSET $2`;

interface UsageRow {
  user_id: number;
  username: string;
  tier: string;
  // bigint and numeric arrive from pg as strings.
  messages: string;
  runs: string;
  prompt_tokens: string;
  completion_tokens: string;
  sandbox_bytes: string;
}

@Injectable()
export class AdminService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Admin');

  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly usersService: UsersService,
  ) {}

  /** Users named in ADMIN_USERNAMES become admins at start-up (those registering later: UsersService.create). */
  async onApplicationBootstrap(): Promise<void> {
    const names = this.config.adminUsernames;
    if (!names.length) {
      return;
    }
    const result = await this.users
      .createQueryBuilder()
      .update(User)
      .set({ role: 'admin' })
      .where('lower(username) IN (:...names)', { names })
      .andWhere(`role <> 'admin'`)
      .returning(['username'])
      .execute();
    const promoted = (result.raw as { username: string }[]).map((r) => r.username);
    if (promoted.length) {
      this.logger.log(`ADMIN_USERNAMES: promoted ${promoted.join(', ')} to admin`);
    }
  }

  async listUsers(actor: AuthUser, query: AdminPageQueryDto): Promise<Page<AdminUserView>> {
    assertAdmin(actor);
    const limit = pageLimit(query);
    const afterId = decodeCursor(query.before, parseUserCursor);
    const users = await this.users.find({
      where: afterId === undefined ? {} : { id: MoreThan(afterId) },
      order: { id: 'ASC' },
      take: limit + 1,
      skip: query.offset ?? 0,
    });
    return pageOf(users, limit, (last) => [last.id]).map(toAdminUserView);
  }

  async updateUser(
    actor: AuthUser,
    userId: string,
    changes: UpdateUserDto,
  ): Promise<AdminUserView> {
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
    const user = id <= MAX_INT4 ? await this.users.findOne({ where: { id } }) : null;
    if (!user) {
      throw notFound('User not found');
    }
    // Lock-out guard: an admin cannot take away their own access; another admin has to.
    if (user.id === actor.id && (disabled === true || role === 'user')) {
      throw badRequest('Admins cannot disable themselves or remove their own admin role');
    }
    if (tier !== undefined) {
      user.tier = tier;
    }
    if (disabled !== undefined) {
      user.disabled = disabled;
    }
    if (role !== undefined) {
      user.role = role;
    }
    const saved = await this.users.save(user);
    this.usersService.invalidate(saved.id);
    return toAdminUserView(saved);
  }

  async usage(actor: AuthUser, query: AdminPageQueryDto): Promise<Page<UsageView>> {
    assertAdmin(actor);
    const limit = pageLimit(query);
    const rows: UsageRow[] = await this.users.query(USAGE_SQL, [
      limit + 1,
      query.offset ?? 0,
      decodeCursor(query.before, parseUserCursor) ?? null,
    ]);
    return pageOf(rows, limit, (last) => [last.user_id]).map((r) => ({
      user_id: r.user_id,
      username: r.username,
      tier: r.tier,
      messages: Number(r.messages),
      runs: Number(r.runs),
      prompt_tokens: Number(r.prompt_tokens),
      completion_tokens: Number(r.completion_tokens),
      sandbox_bytes: Number(r.sandbox_bytes),
    }));
  }
}
