import { ApiProperty } from '@nestjs/swagger';
import { ROLES, TIERS, type User } from '../users/user.entity.js';

export class AdminUserView {
  @ApiProperty({ example: 1 })
  id!: number;

  @ApiProperty({ example: 'johndoe' })
  username!: string;

  @ApiProperty({ example: 'john@example.com' })
  email!: string;

  @ApiProperty({ enum: TIERS })
  tier!: string;

  @ApiProperty({ enum: ROLES })
  role!: string;

  @ApiProperty()
  disabled!: boolean;

  @ApiProperty({ example: '2024-01-15T10:30:00.000Z' })
  created_at!: string;
}

export class UsageView {
  @ApiProperty({ example: 1 })
  user_id!: number;

  @ApiProperty({ example: 'johndoe' })
  username!: string;

  @ApiProperty({ enum: TIERS })
  tier!: string;

  @ApiProperty({ description: 'messages in all their sessions, both roles' })
  messages!: number;

  @ApiProperty({ description: 'agent turns (assistant messages)' })
  runs!: number;

  @ApiProperty()
  prompt_tokens!: number;

  @ApiProperty()
  completion_tokens!: number;

  @ApiProperty({ description: 'bytes in all their sandboxes' })
  sandbox_bytes!: number;
}

export const toAdminUserView = (u: User): AdminUserView => ({
  id: u.id,
  username: u.username,
  email: u.email,
  tier: u.tier,
  role: u.role,
  disabled: u.disabled,
  created_at: u.createdAt.toISOString(),
});
