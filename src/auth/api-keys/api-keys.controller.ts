import { Body, Controller, Delete, Get, Param, Post } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ApiErrorMeaning, ApiErrors, MessageDto } from '../../common/openapi/api-errors.js';
import type { AuthUser } from '../../users/auth-user.js';
import { CurrentUser } from '../../users/current-user.decorator.js';
import { ApiKeysService } from './api-keys.service.js';
import {
  ApiKeyView,
  CreatedApiKeyView,
  toApiKeyView,
  toCreatedApiKeyView,
} from './api-keys.views.js';
import { CreateApiKeyDto } from './dto/create-api-key.dto.js';

@ApiTags('auth')
@ApiBearerAuth()
@Controller('auth/api-keys')
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @ApiOperation({
    summary: 'Create a personal API key for scripts (`Authorization: Bearer aeio_…`); shown once',
  })
  @ApiCreatedResponse({ type: CreatedApiKeyView })
  @ApiErrors(401, 422)
  @ApiErrorMeaning(403, 'You hold 100 API keys, the most allowed: delete one first')
  @Post()
  async create(@CurrentUser() user: AuthUser, @Body() dto: CreateApiKeyDto) {
    const { apiKey, key } = await this.apiKeys.create(user, dto.name, dto.expires_in_days);
    return toCreatedApiKeyView(apiKey, key);
  }

  @ApiOperation({ summary: 'Your API keys (never the keys themselves)' })
  @ApiOkResponse({ type: [ApiKeyView] })
  @ApiErrors(401)
  @Get()
  async list(@CurrentUser() user: AuthUser) {
    return (await this.apiKeys.list(user)).map(toApiKeyView);
  }

  @ApiOperation({ summary: 'Delete one of your API keys; it stops working at once' })
  @ApiOkResponse({ type: MessageDto })
  @ApiErrors(401)
  @ApiErrorMeaning(404, 'You have no API key with this id')
  @Delete(':id')
  async remove(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    await this.apiKeys.revoke(user, id);
    return { message: 'API key deleted' };
  }
}
