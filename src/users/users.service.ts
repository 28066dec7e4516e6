import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { AuthUser } from './auth-user.js';
import { TtlCache } from '../common/cache/ttl-cache.js';
import { ClusterBus } from '../common/cluster/cluster-bus.service.js';
import { badRequest } from '../common/errors/app-error.js';
import { isUniqueViolation } from '../database/pg-errors.js';
import { Sql, type SqlClient } from '../database/sql.service.js';
import { NO_PASSWORD, type User } from './user.entity.js';
import { UserIdentitiesRepository } from './user-identities.repository.js';
import { randomUsername, usernameCandidates } from './username-rule.js';
import { UsersRepository } from './users.repository.js';

/** One answer whether the name or the email is taken: register must not tell who has an account. */
const NAME_TAKEN = 'Username or email already registered';

export interface NewUser {
  username: string;
  email: string;
  passwordHash: string;
}

const USER_CHANGED = 'user.changed';

/** A user of the company's identity provider, as their verified token describes them. */
export interface IdentityClaims {
  issuer: string;
  subject: string;
  /** Valid under the username rule; a suffix is added when it is taken. */
  username: string;
  email: string | null;
}

/**
 * The email of an IdP user whose token has none (or one that is taken): unique by its UUID and under
 * `.invalid` (RFC 2606), so it is nobody's address; and that user has no password to log in with.
 */
const placeholderEmail = () => `${randomUUID()}@oidc.invalid`;

/** Attempts at provisioning when a concurrent registration takes the chosen name or email. */
const PROVISION_ATTEMPTS = 5;

@Injectable()
export class UsersService {
  /**
   * Every authenticated request needs its user (disabled? tier?). They are kept for a few seconds;
   * a change through the admin API evicts the user here and, through the cluster bus, on every replica.
   */
  private readonly active = new TtlCache<number, AuthUser | null>(10_000, 50_000);
  /** (issuer, subject) → user id: fixed once made, so kept longer; dropped when the user is not active. */
  private readonly identities = new TtlCache<string, number>(600_000, 50_000);

  constructor(
    private readonly users: UsersRepository,
    private readonly identityRows: UserIdentitiesRepository,
    private readonly sql: Sql,
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

  /**
   * The active user an IdP identity names, made on first use (tier free, role user, no password);
   * null when that user is disabled. Two first requests at once make one user: the advisory lock on
   * (issuer, subject) serialises them, and the second finds the first's row.
   */
  async activeForIdentity(identity: IdentityClaims): Promise<AuthUser | null> {
    const key = `${identity.issuer}\n${identity.subject}`;
    let userId = this.identities.get(key);
    if (userId === undefined) {
      userId =
        (await this.identityRows.findUserId(identity.issuer, identity.subject)) ??
        (await this.provision(identity));
      this.identities.set(key, userId);
    }
    const user = await this.findActive(userId);
    if (!user) {
      this.identities.delete(key);
    }
    return user;
  }

  private async provision(identity: IdentityClaims): Promise<number> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.sql.transaction(async (tx) => {
          await this.identityRows.lock(tx, identity.issuer, identity.subject);
          const existing = await this.identityRows.findUserId(
            identity.issuer,
            identity.subject,
            tx,
          );
          if (existing !== null) {
            return existing;
          }
          const user = await this.users.insert(
            {
              username: await this.freeUsername(tx, identity.username),
              email:
                identity.email && !(await this.users.emailTaken(tx, identity.email))
                  ? identity.email
                  : placeholderEmail(),
              passwordHash: NO_PASSWORD,
              role: 'user',
            },
            tx,
          );
          await this.identityRows.insert(tx, identity.issuer, identity.subject, user.id);
          return user.id;
        });
      } catch (err) {
        // A registration took the name or email between the check and the insert: choose again.
        if (!isUniqueViolation(err) || attempt >= PROVISION_ATTEMPTS) {
          throw err;
        }
      }
    }
  }

  private async freeUsername(tx: SqlClient, base: string): Promise<string> {
    const candidates = usernameCandidates(base);
    const taken = await this.users.takenUsernames(tx, candidates);
    return candidates.find((n) => !taken.has(n.toLowerCase())) ?? randomUsername(base);
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
