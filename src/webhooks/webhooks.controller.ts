import { Body, Controller, Delete, Get, Param, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { AuthUser } from '../users/auth-user.js';
import { CurrentUser } from '../users/current-user.decorator.js';
import { Paginated } from '../common/http/paginated.decorator.js';
import { PageQueryDto } from '../common/http/pagination.js';
import { ApiErrors, MessageDto } from '../common/openapi/api-errors.js';
import { CreateWebhookDto } from './dto/create-webhook.dto.js';
import {
  CreatedWebhookView,
  toDeliveryView,
  toWebhookView,
  WebhookDeliveryView,
  WebhookView,
} from './webhooks.views.js';
import { WebhooksService } from './webhooks.service.js';

@ApiTags('webhooks')
@ApiBearerAuth()
@Controller('webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @ApiOperation({
    summary:
      'Register an endpoint for run.started, step.finished and run.finished of your sessions ' +
      '(the signing secret is in this response only)',
  })
  @ApiCreatedResponse({ type: CreatedWebhookView })
  @ApiErrors(401, 403, 422)
  @Post()
  async create(
    @CurrentUser() user: AuthUser,
    @Body() dto: CreateWebhookDto,
  ): Promise<CreatedWebhookView> {
    const { webhook, secret } = await this.webhooks.create(user.id, dto.url, dto.events);
    return { ...toWebhookView(webhook), secret };
  }

  @ApiOperation({ summary: 'Your webhooks (without their secrets)' })
  @ApiOkResponse({ type: [WebhookView] })
  @ApiErrors(401)
  @Get()
  async list(@CurrentUser() user: AuthUser): Promise<WebhookView[]> {
    return (await this.webhooks.list(user.id)).map(toWebhookView);
  }

  @ApiOperation({ summary: 'Delete a webhook and its deliveries' })
  @ApiOkResponse({ type: MessageDto })
  @ApiErrors(401, 403, 404)
  @Delete(':id')
  async remove(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    await this.webhooks.remove(user.id, id);
    return { message: 'Webhook deleted successfully' };
  }

  @ApiOperation({
    summary: "A webhook's deliveries, newest first, a page at a time (`?limit=`, `?before=`)",
  })
  @Paginated(WebhookDeliveryView)
  @ApiErrors(401, 403, 404, 422)
  @Get(':id/deliveries')
  async deliveries(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Query() page: PageQueryDto,
  ) {
    return (await this.webhooks.deliveriesOf(user.id, id, page)).map(toDeliveryView);
  }
}
