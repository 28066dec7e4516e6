import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, MoreThan, Repository } from 'typeorm';
import type { AuthUser } from '../auth/auth-user.js';
import { AppError, badRequest, conflict, notFound } from '../common/errors/app-error.js';
import { decodeCursor, pageLimit, pageOf, type Page } from '../common/http/pagination.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { User } from '../users/user.entity.js';
import { assertAdmin } from './admin.guard.js';
import { toAdminUserView, type AdminUserView, type UsageView } from './admin.presenter.js';
import type { AdminPageQueryDto } from './dto/page-query.dto.js';
import type { UpdateUserDto } from './dto/update-user.dto.js';
import { UsersService } from '../users/users.service.js';

/** pg_advisory_xact_lock key taken by every change that can add or remove an admin ("admn"). */
const ADMIN_ROLES_LOCK = 0x61646d6e;

async function activeAdmins(tx: EntityManager): Promise<number> {
  const [row] = await tx.query<{ n: number }[]>(
    `SELECT count(*)::int AS n FROM users WHERE role = 'admin' AND NOT disabled`,
  );
  return row.n;
}
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
    const promoted = await this.users.manager.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [ADMIN_ROLES_LOCK]);
      const rows: { username: string }[] = await tx.query(
        `UPDATE users SET role = 'admin'
          WHERE lower(username) = ANY($1)
            AND NOT EXISTS (SELECT 1 FROM users WHERE role = 'admin' AND NOT disabled)
          RETURNING username`,
        [names],
      );
      return rows.map((r) => r.username);
    });
    if (promoted.length) {
      this.logger.log(`ADMIN_USERNAMES: no admin yet, promoted ${promoted.join(', ')} to admin`);
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
    const saved = await this.users.manager.transaction(async (tx) => {
      // Changes that can take an admin away are serialised, so two admins demoting each other at
      // once cannot both pass the last-admin check below.
      if (disabled !== undefined || role !== undefined) {
        await tx.query('SELECT pg_advisory_xact_lock($1)', [ADMIN_ROLES_LOCK]);
      }
      const user = id <= MAX_INT4 ? await tx.findOne(User, { where: { id } }) : null;
      if (!user) {
        throw notFound('User not found');
      }
      // Lock-out guard: an admin cannot take away their own access; another admin has to.
      if (user.id === actor.id && (disabled === true || role === 'user')) {
        throw badRequest('Admins cannot disable themselves or remove their own admin role');
      }
      const removesAdmin =
        user.role === 'admin' && !user.disabled && (disabled === true || role === 'user');
      if (removesAdmin && (await activeAdmins(tx)) <= 1) {
        throw conflict(
          'This is the last active admin: promote another user before demoting or disabling them',
        );
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
      return tx.save(user);
    });
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
