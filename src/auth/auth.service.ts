import { Inject, Injectable } from '@nestjs/common';
import { CapsService, type MeUsage } from '../caps/caps.service.js';
import { MessagesService } from '../messages/messages.service.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { forbidden, notFound, unauthorized } from '../common/errors/app-error.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { NO_PASSWORD, type User } from '../users/user.entity.js';
import { UsersService } from '../users/users.service.js';
import type { AuthUser } from '../users/auth-user.js';
import type { LoginDto } from './dto/login.dto.js';
import type { RegisterDto } from './dto/register.dto.js';
import { PasswordService } from './password.service.js';
import { TokenService } from './token.service.js';

/** A user who just registered or logged in, and their new access token. */
export interface SignedIn {
  user: User;
  accessToken: string;
}

/** The signed-in user's account with what they use and may use. */
export interface Me extends MeUsage {
  user: User;
}

/** One message for an unknown user and a wrong password, so the API does not reveal which names exist. */
const BAD_CREDENTIALS = 'Incorrect username or password';

const LOCAL_LOGIN_OFF =
  "Sign-in goes through the company's identity provider: registration and password login are turned off";

@Injectable()
export class AuthService {
  constructor(
    private readonly users: UsersService,
    private readonly passwords: PasswordService,
    private readonly tokens: TokenService,
    private readonly caps: CapsService,
    private readonly sessions: SessionsService,
    private readonly messages: MessagesService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async register(dto: RegisterDto): Promise<SignedIn> {
    this.assertLocalLogin();
    const user = await this.users.create({
      username: dto.username,
      email: dto.email,
      passwordHash: await this.passwords.hash(dto.password),
    });
    return this.result(user);
  }

  async login(dto: LoginDto): Promise<SignedIn> {
    this.assertLocalLogin();
    const user = await this.users.findForLogin(dto.username);
    // A user made from an IdP token has no password: verified against the dummy hash, never accepted.
    const hash = user && user.passwordHash !== NO_PASSWORD ? user.passwordHash : undefined;
    const ok = await this.passwords.verify(hash, dto.password);
    if (!user || hash === undefined || !ok || user.disabled) {
      throw unauthorized(BAD_CREDENTIALS);
    }
    return this.result(user);
  }

  async me(actor: AuthUser): Promise<Me> {
    const [user, figures] = await Promise.all([
      this.users.findById(actor.id),
      this.caps.usage(actor.id, {
        sessions: () => this.sessions.countOfUser(actor.id),
        storageBytes: () => this.sessions.storageOfUser(actor.id),
        running: () => this.messages.countRunningOfUser(actor.id),
      }),
    ]);
    if (!user) {
      throw notFound('User not found');
    }
    return { user, ...figures };
  }

  private assertLocalLogin(): void {
    if (!this.config.auth.localLogin) {
      throw forbidden(LOCAL_LOGIN_OFF);
    }
  }

  private result(user: User): SignedIn {
    return { user, accessToken: this.tokens.issueAccess(user.id) };
  }
}
