import { isEmail } from 'class-validator';
import type { JWTPayload } from 'jose';
import { toValidUsername } from '../../users/username-rule.js';

/** Who a verified IdP token names, and what a new account for them would be called. */
export interface ExternalIdentity {
  issuer: string;
  subject: string;
  /** A valid username (not yet checked for being free). */
  username: string;
  /** The token's email when it is valid and not marked unverified; null otherwise. */
  email: string | null;
}

const stringClaim = (claims: JWTPayload, name: string): string | undefined => {
  const value = claims[name];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
};

/** "jane@corp.example" → "jane": an email-shaped name keeps its local part. */
const localPart = (value: string): string => (value.includes('@') ? value.split('@')[0] : value);

/**
 * The identity of a verified token; null without a usable `iss`/`sub`. The name comes from
 * `usernameClaim`, else the email's local part, else `sub`, made valid under the username rule.
 */
export function identityFromClaims(
  claims: JWTPayload,
  usernameClaim: string,
): ExternalIdentity | null {
  const issuer = stringClaim(claims, 'iss');
  const subject = stringClaim(claims, 'sub');
  if (!issuer || !subject || subject.length > 255 || issuer.length > 2048) {
    return null;
  }
  const rawEmail = stringClaim(claims, 'email');
  const email =
    rawEmail && rawEmail.length <= 320 && isEmail(rawEmail) && claims.email_verified !== false
      ? rawEmail
      : null;
  const sources = [stringClaim(claims, usernameClaim), email ?? undefined, subject];
  const username =
    sources
      .filter((s): s is string => s !== undefined)
      .map((s) => toValidUsername(localPart(s)))
      .find((name): name is string => name !== null) ?? 'user';
  return { issuer, subject, username, email };
}
