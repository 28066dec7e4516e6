import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ApiErrors } from '../common/openapi/api-errors.js';
import { MeView } from '../users/user.presenter.js';
import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { CurrentUser } from '../common/decorators/current-user.decorator.js';
import { Public } from '../common/decorators/public.decorator.js';
import { AuthRateLimit } from '../common/throttling/auth-rate-limit.decorator.js';
import type { AuthUser } from './auth-user.js';
import { AuthResult, AuthService } from './auth.service.js';
import { LoginDto } from './dto/login.dto.js';
import { RegisterDto } from './dto/register.dto.js';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @ApiOperation({ summary: 'Register a user and get an access token' })
  @ApiCreatedResponse({ type: AuthResult })
  @ApiErrors(400, 422)
  @Public()
  @AuthRateLimit()
  @Post('register')
  register(@Body() dto: RegisterDto) {
    return this.auth.register(dto);
  }

  @ApiOperation({ summary: 'Log in by username or email' })
  @ApiOkResponse({ type: AuthResult })
  @ApiErrors(401, 422)
  @Public()
  @AuthRateLimit()
  @Post('login')
  @HttpCode(200)
  login(@Body() dto: LoginDto) {
    return this.auth.login(dto);
  }

  @ApiOperation({ summary: 'The signed-in user' })
  @ApiBearerAuth()
  @ApiOkResponse({ type: MeView })
  @ApiErrors(401)
  @Get('me')
  me(@CurrentUser() user: AuthUser) {
    return this.auth.me(user.id);
  }
}
