import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../auth/auth-user.js';
import { TtlCache } from '../common/cache/ttl-cache.js';
import { ClusterBus } from '../common/cluster/cluster-bus.service.js';
import { badRequest } from '../common/errors/app-error.js';
import { isUniqueViolation } from '../database/pg-errors.js';
import type { User } from './user.entity.js';
import { UsersRepository } from './users.repository.js';

/** One answer whether the name or the email is taken: register must not tell who has an account. */
const NAME_TAKEN = 'Username or email already registered';

export interface NewUser {
  username: string;
  email: string;
  passwordHash: string;
}

const USER_CHANGED = 'user.changed';

@Injectable()
export class UsersService {
  /**
   * Every authenticated request needs its user (disabled? tier?). They are kept for a few seconds;
   * a change through the admin API evicts the user here and, through the cluster bus, on every replica.
   */
  private readonly active = new TtlCache<number, AuthUser | null>(10_000, 50_000);

  constructor(
    private readonly users: UsersRepository,
    private readonly cluster: ClusterBus,
  ) {
    cluster.on(USER_CHANGED, (id) => this.active.delete(Number(id)));
  }

  /** Call after changing a user's tier, role or disabled flag, so it applies on the next request. */
  invalidate(id: number): void {
    this.active.delete(id);
    this.cluster.publish(USER_CHANGED, id);
  }

  async create(input: NewUser): Promise<User> {
    await this.assertAvailable(input.username, input.email);
    try {
      // Registration never confers a role: admins come from admin:create, admin:promote or another admin.
      return await this.users.insert({ ...input, role: 'user' });
    } catch (err) {
      // Two registrations racing for one name: the unique index decides.
      if (isUniqueViolation(err)) {
        throw badRequest(NAME_TAKEN);
      }
      throw err;
    }
  }

  /** Finds a user by username or email, case-insensitively, with the password hash. */
  findForLogin(login: string): Promise<User | null> {
    return this.users.findForLogin(login);
  }

  /** The user a token names, or null when gone or disabled (so their tokens stop working at once). */
  async findActive(id: number): Promise<AuthUser | null> {
    const cached = this.active.get(id);
    if (cached !== undefined) {
      return cached;
    }
    const user = await this.users.findById(id);
    const active: AuthUser | null =
      user && !user.disabled
        ? {
            id: user.id,
            username: user.username,
            email: user.email,
            tier: user.tier,
            role: user.role,
          }
        : null;
    this.active.set(id, active);
    return active;
  }

  findById(id: number): Promise<User | null> {
    return this.users.findById(id);
  }

  private async assertAvailable(username: string, email: string): Promise<void> {
    if (await this.users.nameOrEmailTaken(username, email)) {
      throw badRequest(NAME_TAKEN);
    }
  }
}
