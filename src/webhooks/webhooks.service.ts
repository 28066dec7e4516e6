import { Inject, Injectable } from '@nestjs/common';
import { AppError, forbidden, notFound, rateLimited } from '../common/errors/app-error.js';
import {
  decodeCursor,
  pageLimit,
  pageOf,
  type Page,
  type PageQueryDto,
} from '../common/http/pagination.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { Sql } from '../database/sql.service.js';
import { newSigningSecret } from './delivery/signature.js';
import { LookupsBusy } from './delivery/lookup-gate.js';
import { TargetRefused } from './delivery/target-address.js';
import { TargetVetter } from './delivery/target-vetter.js';
import { SecretBox } from './secret-box.js';
import { WebhookDeliveriesRepository } from './webhook-deliveries.repository.js';
import type { WebhookDelivery } from './webhook-delivery.entity.js';
import type { Webhook, WebhookEvent } from './webhook.entity.js';
import { WebhookOutbox } from './webhook-outbox.service.js';
import { WebhooksRepository } from './webhooks.repository.js';

const MAX_INT4 = 2_147_483_647;

/** A deliveries cursor: [id of the oldest delivery of the page before]. */
const parseDeliveryCursor = ([id, ...rest]: unknown[]): number | undefined =>
  rest.length === 0 && Number.isInteger(id) && (id as number) > 0 && (id as number) <= MAX_INT4
    ? (id as number)
    : undefined;

const urlInvalid = (message: string) =>
  new AppError('validation', `Validation failed: ${message}`, [{ field: 'url', message }]);

/** The user's webhooks: register (checking the target), list, delete, and their deliveries. */
@Injectable()
export class WebhooksService {
  private readonly box: SecretBox;

  constructor(
    private readonly sql: Sql,
    private readonly webhooks: WebhooksRepository,
    private readonly deliveries: WebhookDeliveriesRepository,
    private readonly outbox: WebhookOutbox,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly targets: TargetVetter,
  ) {
    this.box = new SecretBox(config.auth.jwtSecret);
  }

  /**
   * Registers a webhook and returns it with its signing secret (the only time the secret is shown).
   * The URL must be http(s) without credentials, and its host must resolve to public addresses only.
   */
  async create(
    userId: number,
    rawUrl: string,
    events: WebhookEvent[],
  ): Promise<{ webhook: Webhook; secret: string }> {
    const url = this.parseUrl(rawUrl);
    try {
      await this.targets.vet(url, userId);
    } catch (err) {
      if (err instanceof TargetRefused) {
        throw urlInvalid(`url is refused: ${err.message}`);
      }
      if (err instanceof LookupsBusy) {
        throw rateLimited(`${err.message}; retry shortly`, 5);
      }
      throw err;
    }
    const secret = newSigningSecret();
    const cap = this.config.webhooks.maxPerUser;
    const webhook = await this.sql.transaction(async (tx) => {
      await this.webhooks.lockUser(tx, userId);
      if ((await this.webhooks.countOfUser(tx, userId)) >= cap) {
        throw forbidden(
          `You have ${cap} webhooks, the most allowed (WEBHOOK_MAX_PER_USER); delete one first`,
        );
      }
      return this.webhooks.insert(tx, {
        userId,
        url: url.href,
        events,
        secretSealed: this.box.seal(secret),
      });
    });
    this.outbox.changed(userId);
    return { webhook, secret };
  }

  list(userId: number): Promise<Webhook[]> {
    return this.webhooks.listOfUser(userId);
  }

  async remove(userId: number, rawId: string): Promise<void> {
    const webhook = await this.getOwned(userId, rawId);
    await this.webhooks.delete(webhook.id);
    this.outbox.changed(userId);
  }

  /** A page of the webhook's deliveries, newest first. */
  async deliveriesOf(
    userId: number,
    rawId: string,
    query: PageQueryDto,
  ): Promise<Page<WebhookDelivery>> {
    const webhook = await this.getOwned(userId, rawId);
    const limit = pageLimit(query);
    const beforeId = decodeCursor(query.before, parseDeliveryCursor);
    const rows = await this.deliveries.pageOfWebhook(webhook.id, beforeId, limit + 1);
    return pageOf(rows, limit, (last) => [last.id]);
  }

  /** The ownership rule of `/webhooks/{id}`, as for sessions: unknown → 404, someone else's → 403. */
  private async getOwned(userId: number, rawId: string): Promise<Webhook> {
    const id = /^\d{1,10}$/.test(rawId) ? Number(rawId) : NaN;
    const webhook = id > 0 && id <= MAX_INT4 ? await this.webhooks.findById(id) : null;
    if (!webhook) {
      throw notFound('Webhook not found');
    }
    if (webhook.userId !== userId) {
      throw forbidden('Not allowed to access this webhook');
    }
    return webhook;
  }

  private parseUrl(raw: string): URL {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw urlInvalid('url must be an absolute http or https URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw urlInvalid('url must be an absolute http or https URL');
    }
    if (url.username !== '' || url.password !== '') {
      throw urlInvalid('url must not contain credentials (user:password@)');
    }
    if (url.href.length > 2048) {
      throw urlInvalid('url must be at most 2048 characters');
    }
    return url;
  }
}
