import type { Tier } from '../config/app-config.js';
import type { Role } from './user.entity.js';

/** The authenticated caller, as guards attach it to the request. */
export interface AuthUser {
  id: number;
  username: string;
  email: string;
  tier: Tier;
  role: Role;
}
