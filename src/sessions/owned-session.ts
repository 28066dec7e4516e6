import type { AuthedRequest } from '../users/authed-request.js';

/** A session the acting user was checked to own: what services take to act in it for that user. */
export interface OwnedSession {
  id: string;
  userId: number;
}

/** A request under `/sessions/:id/…` after `SessionOwnerGuard`. */
export interface SessionRequest extends AuthedRequest {
  ownedSession?: OwnedSession;
}
