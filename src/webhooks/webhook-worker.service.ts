import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { PgNotifyTransport } from '../common/cluster/cluster-transport.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { Sql } from '../database/sql.service.js';
import { retryDelayMs } from './delivery/backoff.js';
import { postWebhook, type AttemptOutcome } from './delivery/http-sender.js';
import { signWebhook } from './delivery/signature.js';
import { LookupsBusy } from './delivery/lookup-gate.js';
import { TargetRefused } from './delivery/target-address.js';
import { TargetVetter } from './delivery/target-vetter.js';
import { SecretBox } from './secret-box.js';
import { WebhookDeliveriesRepository } from './webhook-deliveries.repository.js';
import type { WebhookDelivery } from './webhook-delivery.entity.js';
import { WebhooksRepository } from './webhooks.repository.js';

const USER_AGENT = 'Aeio-Dev-Agent-Webhooks/1.0';
const PRUNE_EVERY_MS = 60 * 60 * 1000;
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Delivers queued webhook events; one runs on every replica. It claims due rows with
 * `FOR UPDATE SKIP LOCKED` and a lease, POSTs them signed (at most WEBHOOK_CONCURRENCY at once), and
 * records each attempt: delivered, due again after the back-off, or failed after WEBHOOK_MAX_ATTEMPTS.
 * A NOTIFY from the enqueuing transaction wakes it at once; a poll every WEBHOOK_POLL_MS is the
 * fallback. A replica that dies mid-attempt leaves a lease that runs out, and another one retries.
 * Agent turns never wait for any of this.
 */
@Injectable()
export class WebhookWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(WebhookWorker.name);
  private readonly box: SecretBox;
  private readonly listener: PgNotifyTransport;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;
  private claiming = false;
  private again = false;
  /** Covers the attempt's timeout and the DNS look-up before it, with room to record the result. */
  private readonly leaseMs: number;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly deliveries: WebhookDeliveriesRepository,
    private readonly webhooks: WebhooksRepository,
    private readonly targets: TargetVetter,
    sql: Sql,
  ) {
    this.box = new SecretBox(config.auth.jwtSecret);
    this.leaseMs = 2 * config.webhooks.timeoutMs + 1000;
    this.listener = new PgNotifyTransport(
      config.database.url!,
      (text, params) => sql.query(text, params),
      'aeio_',
      'webhooks',
    );
  }

  onApplicationBootstrap(): void {
    this.listener
      .start(['webhooks'], () => this.wake())
      .catch((err: Error) => {
        this.logger.warn(`webhook listener not started (${err.message}); polling only until it is`);
      });
    this.every(this.config.webhooks.pollMs, () => {
      void this.housekeep(false);
      this.wake();
    });
    this.every(PRUNE_EVERY_MS, () => void this.housekeep(true));
    void this.housekeep(true);
    this.wake();
  }

  /** SIGTERM: claim nothing more; attempts under way get until the grace ends, else their lease decides. */
  stopClaiming(): void {
    this.stopped = true;
    this.timers.forEach(clearTimeout);
    this.timers.clear();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopClaiming();
    await this.listener.stop();
    await Promise.race([
      Promise.allSettled([...this.inFlight]),
      new Promise((r) => setTimeout(r, this.config.http.shutdownGraceMs).unref()),
    ]);
  }

  /** Looks for due deliveries now (a claim already running looks once more when it ends). */
  wake(): void {
    if (this.stopped) {
      return;
    }
    if (this.claiming) {
      this.again = true;
      return;
    }
    void this.fill();
  }

  private every(ms: number, fn: () => void): void {
    const timer = setInterval(fn, ms);
    timer.unref();
    this.timers.add(timer);
  }

  private after(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    timer.unref();
    this.timers.add(timer);
  }

  private async fill(): Promise<void> {
    this.claiming = true;
    try {
      do {
        this.again = false;
        const free = this.config.webhooks.concurrency - this.inFlight.size;
        if (free <= 0 || this.stopped) {
          break;
        }
        const claimed = await this.deliveries.claim(
          free,
          this.leaseMs,
          this.config.webhooks.maxAttempts,
        );
        claimed.forEach((d) => this.start(d));
        // A full batch: there may be more waiting.
        this.again ||= claimed.length === free;
      } while (this.again && !this.stopped);
    } catch (err) {
      this.logger.warn(`webhook claim failed: ${(err as Error).message}`);
    } finally {
      this.claiming = false;
    }
  }

  private start(delivery: WebhookDelivery): void {
    const run: Promise<void> = this.attempt(delivery)
      .catch((err: Error) => {
        this.logger.warn(`webhook delivery ${delivery.id} not recorded: ${err.message}`);
      })
      .finally(() => {
        this.inFlight.delete(run);
        this.wake();
      });
    this.inFlight.add(run);
  }

  private async attempt(delivery: WebhookDelivery): Promise<void> {
    const hook = await this.webhooks.findById(delivery.webhookId);
    if (!hook) {
      return; // deleted meanwhile; its deliveries went with it
    }
    const outcome = await this.send(delivery, hook.userId, hook.url, hook.secretSealed);
    const { maxAttempts, retryBaseMs } = this.config.webhooks;
    const ok = outcome.statusCode !== null && outcome.statusCode >= 200 && outcome.statusCode < 300;
    if (ok) {
      await this.deliveries.recordAttempt(delivery.id, delivery.attempts, {
        status: 'delivered',
        ...outcome,
      });
      return;
    }
    const last = delivery.attempts >= maxAttempts;
    const retryInMs = last ? undefined : retryDelayMs(delivery.attempts, retryBaseMs);
    await this.deliveries.recordAttempt(delivery.id, delivery.attempts, {
      status: last ? 'failed' : 'pending',
      ...outcome,
      retryInMs,
    });
    if (last) {
      this.logger.warn(
        `webhook ${hook.id} delivery ${delivery.id} failed after ${delivery.attempts} attempts (${outcome.error})`,
      );
    } else {
      // setTimeout fires at once past 2^31 − 1 ms; the poll finds a later one anyway.
      this.after(Math.min(retryInMs!, MAX_TIMER_MS), () => this.wake());
    }
  }

  /** One signed POST; the target is checked again now, and the connection goes to the checked address. */
  private async send(
    delivery: WebhookDelivery,
    userId: number,
    rawUrl: string,
    sealedSecret: string,
  ): Promise<AttemptOutcome> {
    const secret = this.box.open(sealedSecret);
    if (secret === null) {
      return { statusCode: null, error: 'the signing secret cannot be read (JWT_SECRET changed?)' };
    }
    const url = new URL(rawUrl);
    let target;
    try {
      target = await this.targets.vet(url, userId);
    } catch (err) {
      if (err instanceof TargetRefused) {
        return { statusCode: null, error: 'refused: the target is not a public address' };
      }
      if (err instanceof LookupsBusy) {
        return { statusCode: null, error: `not attempted: ${err.message}` };
      }
      throw err;
    }
    const timestamp = Math.floor(Date.now() / 1000);
    return postWebhook(
      url,
      target,
      {
        'content-type': 'application/json',
        'user-agent': USER_AGENT,
        'webhook-id': delivery.messageId,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signWebhook(secret, delivery.messageId, timestamp, delivery.body),
      },
      delivery.body,
      this.config.webhooks.timeoutMs,
    );
  }

  /** Fails deliveries whose final attempt was interrupted; hourly, prunes old finished ones. */
  private async housekeep(prune: boolean): Promise<void> {
    try {
      await this.deliveries.failExhausted(this.config.webhooks.maxAttempts);
      if (prune) {
        const n = await this.deliveries.prune(this.config.webhooks.retentionDays);
        if (n > 0) {
          this.logger.log(
            `pruned ${n} webhook deliveries older than ${this.config.webhooks.retentionDays} days`,
          );
        }
      }
    } catch (err) {
      this.logger.warn(`webhook housekeeping failed: ${(err as Error).message}`);
    }
  }
}
