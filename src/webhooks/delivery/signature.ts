import { createHmac, randomBytes } from 'node:crypto';

/** The prefix of a Standard Webhooks signing secret; the rest is the key, base64. */
const SECRET_PREFIX = 'whsec_';

/** A new signing secret: `whsec_` + base64 of 32 random bytes. */
export const newSigningSecret = (): string => SECRET_PREFIX + randomBytes(32).toString('base64');

/** A delivery's `webhook-id`: stable across its retries, so a receiver can drop duplicates. */
export const newMessageId = (): string => `msg_${randomBytes(16).toString('base64url')}`;

/**
 * The `webhook-signature` header of the Standard Webhooks specification: `v1,` + base64 of the
 * HMAC-SHA256 of `<id>.<timestamp>.<body>`, keyed by the base64-decoded part of the secret after `whsec_`.
 */
export function signWebhook(
  secret: string,
  id: string,
  timestampSec: number,
  body: string,
): string {
  const key = Buffer.from(
    secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret,
    'base64',
  );
  const mac = createHmac('sha256', key).update(`${id}.${timestampSec}.${body}`).digest('base64');
  return `v1,${mac}`;
}
