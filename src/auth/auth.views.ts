import { ApiProperty } from '@nestjs/swagger';
import { UserView, toUserView } from '../users/users.views.js';
import type { SignedIn } from './auth.service.js';

export class AuthResult {
  @ApiProperty({ example: 'eyJhbGciOiJIUzI1NiIs…' })
  access_token!: string;

  @ApiProperty({ enum: ['bearer'] })
  token_type!: 'bearer';

  @ApiProperty({ type: UserView })
  user!: UserView;
}

export const toAuthResult = (s: SignedIn): AuthResult => ({
  access_token: s.accessToken,
  token_type: 'bearer',
  user: toUserView(s.user),
});
