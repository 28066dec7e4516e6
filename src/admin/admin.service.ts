import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import type { AuthUser } from '../auth/auth-user.js';
import { AppError, badRequest, notFound } from '../common/errors/app-error.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { User } from '../users/user.entity.js';
import { assertAdmin } from './admin.guard.js';
import { toAdminUserView, type AdminUserView, type UsageView } from './admin.presenter.js';
import type { PageQueryDto } from './dto/page-query.dto.js';
import type { UpdateUserDto } from './dto/update-user.dto.js';
import { UsersService } from '../users/users.service.js';

const DEFAULT_LIMIT = 100;
const MAX_INT4 = 2_147_483_647;

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

  async listUsers(actor: AuthUser, page: PageQueryDto): Promise<AdminUserView[]> {
    assertAdmin(actor);
    const users = await this.users.find({
      order: { id: 'ASC' },
      take: page.limit ?? DEFAULT_LIMIT,
      skip: page.offset ?? 0,
    });
    return users.map(toAdminUserView);
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

  async usage(actor: AuthUser, page: PageQueryDto): Promise<UsageView[]> {
    assertAdmin(actor);
    const rows: UsageRow[] = await this.users.query(USAGE_SQL, [
      page.limit ?? DEFAULT_LIMIT,
      page.offset ?? 0,
    ]);
    return rows.map((r) => ({
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
