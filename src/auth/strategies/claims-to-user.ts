import type { AuthUser } from '../../users/auth-user.js';
import type { TokenClaims } from '../token.service.js';
import type { UsersService } from '../../users/users.service.js';

/** Loads the user a verified token names; a deleted or disabled user is not authenticated. */
export async function userFromClaims(
  users: UsersService,
  claims: TokenClaims,
): Promise<AuthUser | false> {
  if (!/^\d+$/.test(claims.sub)) {
    return false;
  }
  return (await users.findActive(Number(claims.sub))) ?? false;
}
