import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { CapsModule } from '../caps/caps.module.js';
import { MessagesModule } from '../messages/messages.module.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { UsersModule } from '../users/users.module.js';
import { ApiKey } from './api-keys/api-key.entity.js';
import { ApiKeysRepository } from './api-keys/api-keys.repository.js';
import { ApiKeysController } from './api-keys/api-keys.controller.js';
import { ApiKeysService } from './api-keys/api-keys.service.js';
import { AuthController } from './auth.controller.js';
import { OidcVerifier } from './oidc/oidc-verifier.service.js';
import { OidcStrategy } from './strategies/oidc.strategy.js';
import { AuthService } from './auth.service.js';
import { PasswordService } from './password.service.js';
import { PreviewStrategy } from './strategies/preview.strategy.js';
import { hmacKey, JWT_ALGORITHM, TokenService } from './token.service.js';

@Module({
  imports: [
    TypeOrmModule.forFeature([ApiKey]),
    UsersModule,
    CapsModule,
    // The session and running-turn counts of `GET /api/auth/me`.
    SessionsModule,
    MessagesModule,
    PassportModule,
    JwtModule.registerAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        secret: hmacKey(config.auth.jwtSecret),
        signOptions: { algorithm: JWT_ALGORITHM },
        verifyOptions: { algorithms: [JWT_ALGORITHM] },
      }),
    }),
  ],
  controllers: [AuthController, ApiKeysController],
  providers: [
    AuthService,
    PasswordService,
    TokenService,
    PreviewStrategy,
    ApiKeysService,
    ApiKeysRepository,
    OidcVerifier,
    OidcStrategy,
  ],
  // The global guard (provided by AppModule) authenticates through these.
  exports: [TokenService, ApiKeysService, OidcVerifier],
})
export class AuthModule {}
