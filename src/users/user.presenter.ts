import type { User } from './user.entity.js';

export interface UserView {
  id: number;
  username: string;
  email: string;
}

export interface MeView extends UserView {
  created_at: string;
  tier: string;
  role: string;
}

export const toUserView = (u: Pick<User, 'id' | 'username' | 'email'>): UserView => ({
  id: u.id,
  username: u.username,
  email: u.email,
});

export const toMeView = (u: User): MeView => ({
  ...toUserView(u),
  created_at: u.createdAt.toISOString(),
  tier: u.tier,
  role: u.role,
});
