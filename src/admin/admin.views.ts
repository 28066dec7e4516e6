import { ApiProperty } from '@nestjs/swagger';
import { TIERS, type User } from '../users/user.entity.js';
import type { UserUsage } from '../users/users.repository.js';
import { ProfileView, toProfileView } from '../users/users.views.js';

/** What an admin sees of a user: the user's own view plus the disabled flag. */
export class AdminUserView extends ProfileView {
  @ApiProperty()
  disabled!: boolean;
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
  ...toProfileView(u),
  disabled: u.disabled,
});

export const toUsageView = (u: UserUsage): UsageView => ({
  user_id: u.userId,
  username: u.username,
  tier: u.tier,
  messages: u.messages,
  runs: u.runs,
  prompt_tokens: u.promptTokens,
  completion_tokens: u.completionTokens,
  sandbox_bytes: u.sandboxBytes,
});
