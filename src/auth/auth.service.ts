import { Injectable } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { CapsService } from '../caps/caps.service.js';
import { notFound, unauthorized } from '../common/errors/app-error.js';
import { toMeView, toUserView, UserView, type MeView } from '../users/user.presenter.js';
import { UsersService } from '../users/users.service.js';
import type { LoginDto } from './dto/login.dto.js';
import type { RegisterDto } from './dto/register.dto.js';
import { PasswordService } from './password.service.js';
import { TokenService } from './token.service.js';

export class AuthResult {
  @ApiProperty({ example: 'eyJhbGciOiJIUzI1NiIs…' })
  access_token!: string;

  @ApiProperty({ enum: ['bearer'] })
  token_type!: 'bearer';

  @ApiProperty({ type: UserView })
  user!: UserView;
}

/** One message for an unknown user and a wrong password, so the API does not reveal which names exist. */
const BAD_CREDENTIALS = 'Incorrect username or password';

@Injectable()
export class AuthService {
  constructor(
    private readonly users: UsersService,
    private readonly passwords: PasswordService,
    private readonly tokens: TokenService,
    private readonly caps: CapsService,
  ) {}

  async register(dto: RegisterDto): Promise<AuthResult> {
    const user = await this.users.create({
      username: dto.username,
      email: dto.email,
      passwordHash: await this.passwords.hash(dto.password),
    });
    return this.result(user);
  }

  async login(dto: LoginDto): Promise<AuthResult> {
    const user = await this.users.findForLogin(dto.username);
    const ok = await this.passwords.verify(user?.passwordHash, dto.password);
    if (!user || !ok || user.disabled) {
      throw unauthorized(BAD_CREDENTIALS);
    }
    return this.result(user);
  }

  async me(userId: number): Promise<MeView> {
    const [user, figures] = await Promise.all([
      this.users.findById(userId),
      this.caps.usage(userId),
    ]);
    if (!user) {
      throw notFound('User not found');
    }
    return toMeView(user, figures);
  }

  private result(user: Parameters<typeof toUserView>[0]): AuthResult {
    return {
      access_token: this.tokens.issueAccess(user.id),
      token_type: 'bearer',
      user: toUserView(user),
    };
  }
}
