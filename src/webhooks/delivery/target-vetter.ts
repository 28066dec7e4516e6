import { Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '../../config/app-config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { LookupGate } from './lookup-gate.js';
import { vetTarget, type VettedAddress } from './target-address.js';

/**
 * `vetTarget` with this replica's settings: private targets allowed or not, the look-up bound
 * (WEBHOOK_TIMEOUT_MS), the DNS servers (WEBHOOK_DNS_SERVERS) and one gate shared by registrations and
 * deliveries (WEBHOOK_DNS_MAX_IN_FLIGHT, WEBHOOK_DNS_MAX_PER_USER).
 */
@Injectable()
export class TargetVetter {
  private readonly gate: LookupGate;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    const { dnsMaxInFlight, dnsMaxPerUser } = config.webhooks;
    this.gate = new LookupGate(dnsMaxInFlight, dnsMaxPerUser);
  }

  vet(url: URL, userId: number): Promise<VettedAddress> {
    const { allowPrivateTargets, timeoutMs, dnsServers } = this.config.webhooks;
    return vetTarget(url, allowPrivateTargets, timeoutMs, {
      servers: dnsServers,
      gate: this.gate,
      userId,
    });
  }
}
