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

export class MeView extends UserView {
  @ApiProperty({ example: '2024-01-15T10:30:00.000Z' })
  created_at!: string;

  @ApiProperty({ enum: ['free', 'pro', 'enterprise'] })
  tier!: string;

  @ApiProperty({ enum: ['user', 'admin'] })
  role!: string;
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
