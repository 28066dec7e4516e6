import { ApiProperty } from '@nestjs/swagger';
import type { User } from './user.entity.js';

export class UserView {
  @ApiProperty({ example: 1 })
  id!: number;

  @ApiProperty({ example: 'johndoe' })
  username!: string;

  @ApiProperty({ example: 'john@example.com' })
  email!: string;
}

export class UsageFiguresView {
  @ApiProperty({ example: 3, description: 'sessions held' })
  sessions!: number;

  @ApiProperty({ example: 20480, description: 'bytes in all sandboxes together' })
  storage_bytes!: number;

  @ApiProperty({ example: 1, description: 'agent turns running now' })
  running!: number;

  @ApiProperty({ example: 15000, description: 'prompt + completion tokens this UTC day' })
  tokens_today!: number;
}

/** A user's account as they and admins see it. */
export class ProfileView extends UserView {
  @ApiProperty({ example: '2024-01-15T10:30:00.000Z' })
  created_at!: string;

  @ApiProperty({ enum: ['free', 'pro', 'enterprise'] })
  tier!: string;

  @ApiProperty({ enum: ['user', 'admin'] })
  role!: string;
}

export class MeView extends ProfileView {
  @ApiProperty({ type: UsageFiguresView, description: 'what the user holds and runs now' })
  usage!: UsageFiguresView;

  @ApiProperty({
    type: UsageFiguresView,
    description:
      'the caps of the user’s tier under the same keys; 0 means unlimited. Past them: sessions → 403, ' +
      'storage_bytes → 413, running → 429, tokens_today → 429 with Retry-After until midnight UTC',
  })
  limits!: UsageFiguresView;
}

export const toUserView = (u: Pick<User, 'id' | 'username' | 'email'>): UserView => ({
  id: u.id,
  username: u.username,
  email: u.email,
});

export const toProfileView = (u: User): ProfileView => ({
  ...toUserView(u),
  created_at: u.createdAt.toISOString(),
  tier: u.tier,
  role: u.role,
});

export const toMeView = (me: {
  user: User;
  usage: UsageFiguresView;
  limits: UsageFiguresView;
}): MeView => ({ ...toProfileView(me.user), usage: me.usage, limits: me.limits });
