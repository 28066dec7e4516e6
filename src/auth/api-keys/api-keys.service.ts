import { Injectable, Logger } from '@nestjs/common';
import { TtlCache } from '../../common/cache/ttl-cache.js';
import { forbidden, notFound } from '../../common/errors/app-error.js';
import { Sql } from '../../database/sql.service.js';
import { UsersRepository } from '../../users/users.repository.js';
import { UsersService } from '../../users/users.service.js';
import type { AuthUser } from '../../users/auth-user.js';
import type { ApiKey } from './api-key.entity.js';
import { apiKeyPrefix, generateApiKey, hashApiKey, isWellFormedApiKey } from './api-key-secret.js';
import { ApiKeysRepository } from './api-keys.repository.js';

/** Keys one user may hold; past it, creating one is refused until one is deleted. */
export const MAX_KEYS_PER_USER = 100;
/** `last_used_at` is written at most this often per key: a write per request would cost more than the read. */
const LAST_USED_EVERY_SEC = 60;
const DAY_MS = 86_400_000;

@Injectable()
export class ApiKeysService {
  private readonly logger = new Logger(ApiKeysService.name);
  /** Keys whose use this replica recorded within the last minute. */
  private readonly recentlyUsed = new TtlCache<number, true>(LAST_USED_EVERY_SEC * 1000, 50_000);

  constructor(
    private readonly keys: ApiKeysRepository,
    private readonly users: UsersService,
    private readonly userRows: UsersRepository,
    private readonly sql: Sql,
  ) {}

  /** A new key for the actor; the key itself is in the answer and nowhere else. */
  async create(
    actor: AuthUser,
    name: string,
    expiresInDays?: number,
  ): Promise<{ apiKey: ApiKey; key: string }> {
    const key = generateApiKey();
    const expiresAt =
      expiresInDays === undefined ? null : new Date(Date.now() + expiresInDays * DAY_MS);
    const apiKey = await this.sql.transaction(async (tx) => {
      // The user's row lock makes count-then-insert safe against parallel creates.
      await this.userRows.lockForCaps(tx, actor.id);
      if ((await this.keys.countByUser(tx, actor.id)) >= MAX_KEYS_PER_USER) {
        throw forbidden(
          `You already have ${MAX_KEYS_PER_USER} API keys, the most allowed; delete one first`,
        );
      }
      return this.keys.insert(tx, {
        userId: actor.id,
        name,
        prefix: apiKeyPrefix(key),
        keyHash: hashApiKey(key),
        expiresAt,
      });
    });
    return { apiKey, key };
  }

  list(actor: AuthUser): Promise<ApiKey[]> {
    return this.keys.listByUser(actor.id);
  }

  /** Deletes one of the actor's keys; it stops working at once here and on every replica. */
  async revoke(actor: AuthUser, id: string): Promise<void> {
    const deleted = /^\d{1,9}$/.test(id) && (await this.keys.deleteOwned(actor.id, Number(id)));
    if (!deleted) {
      // Someone else's key answers like a missing one: ids are not a way to learn about others.
      throw notFound('API key not found');
    }
  }

  /**
   * The owner of a live key, or false (unknown, deleted, expired, or the owner disabled). The key is
   * compared by its hash through a unique index: no secret-dependent string comparison in our code.
   * The key's row is read on every request, not cached: a cache evicted through the ClusterBus could
   * not promise that a deleted key is refused at once everywhere (the bus is best effort, and its
   * message races the client's next request to another replica). One indexed read is the price
   * (BENCHMARKS.md, "Credentials"); the owner comes from the same 10 s user cache as a token's.
   */
  async authenticate(key: string): Promise<AuthUser | false> {
    if (!isWellFormedApiKey(key)) {
      return false;
    }
    const owner = await this.keys.findByHash(hashApiKey(key));
    if (!owner || (owner.expiresAt !== null && owner.expiresAt.getTime() <= Date.now())) {
      return false;
    }
    const user = await this.users.findActive(owner.userId);
    if (!user) {
      return false;
    }
    this.recordUse(owner.id);
    return user;
  }

  /** Not awaited: a request does not wait for (or fail on) bookkeeping. */
  private recordUse(id: number): void {
    if (this.recentlyUsed.get(id)) {
      return;
    }
    this.recentlyUsed.set(id, true);
    this.keys.touch(id, LAST_USED_EVERY_SEC).catch((err: Error) => {
      this.logger.warn(`could not record the use of API key ${id}: ${err.message}`);
    });
  }
}
