import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ApiErrorMeaning, ApiErrors } from '../common/openapi/api-errors.js';
import { MeView, toMeView } from '../users/users.views.js';
import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { CurrentUser } from '../users/current-user.decorator.js';
import { Public } from '../common/decorators/public.decorator.js';
import { AuthRateLimit } from '../common/throttling/auth-rate-limit.decorator.js';
import type { AuthUser } from '../users/auth-user.js';
import { AuthService } from './auth.service.js';
import { AuthResult, toAuthResult } from './auth.views.js';
import { LoginDto } from './dto/login.dto.js';
import { RegisterDto } from './dto/register.dto.js';

const LOCAL_LOGIN_OFF =
  'Password sign-in is turned off (AUTH_LOCAL_LOGIN=false): use the identity provider';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @ApiOperation({ summary: 'Register a user and get an access token' })
  @ApiCreatedResponse({ type: AuthResult })
  @ApiErrors(400, 422)
  @ApiErrorMeaning(403, LOCAL_LOGIN_OFF)
  @Public()
  @AuthRateLimit()
  @Post('register')
  async register(@Body() dto: RegisterDto) {
    return toAuthResult(await this.auth.register(dto));
  }

  @ApiOperation({ summary: 'Log in by username or email' })
  @ApiOkResponse({ type: AuthResult })
  @ApiErrors(401, 422)
  @ApiErrorMeaning(403, LOCAL_LOGIN_OFF)
  @Public()
  @AuthRateLimit()
  @Post('login')
  @HttpCode(200)
  async login(@Body() dto: LoginDto) {
    return toAuthResult(await this.auth.login(dto));
  }

  @ApiOperation({ summary: 'The signed-in user' })
  @ApiBearerAuth()
  @ApiOkResponse({ type: MeView })
  @ApiErrors(401)
  @Get('me')
  async me(@CurrentUser() user: AuthUser) {
    return toMeView(await this.auth.me(user));
  }
}
