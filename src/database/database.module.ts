import { Global, Module } from '@nestjs/common';
import { TokenUsageRepository } from '../caps/token-usage.repository.js';
import { IdempotencyKeysRepository } from '../idempotency/idempotency-keys.repository.js';
import { ExecutionStepsRepository } from '../messages/execution-steps.repository.js';
import { MessagesRepository } from '../messages/messages.repository.js';
import { PreviewErrorsRepository } from '../sandbox/preview-errors/preview-errors.repository.js';
import { SandboxFilesRepository } from '../sandbox/sandbox-files.repository.js';
import { SessionsRepository } from '../sessions/sessions.repository.js';
import { UserIdentitiesRepository } from '../users/user-identities.repository.js';
import { UsersRepository } from '../users/users.repository.js';
import { ApiKeysRepository } from '../auth/api-keys/api-keys.repository.js';
import { BlobsRepository } from '../versions/history/blobs.repository.js';
import { HistoryHeadsRepository } from '../versions/history/history-heads.repository.js';
import { VersionChangesRepository } from '../versions/history/version-changes.repository.js';
import { VersionsRepository } from '../versions/history/versions.repository.js';
import { WebhookDeliveriesRepository } from '../webhooks/webhook-deliveries.repository.js';
import { WebhooksRepository } from '../webhooks/webhooks.repository.js';
import { Sql } from './sql.service.js';

/**
 * One repository per table (each in its feature's folder), and the transaction helper they share.
 * Global, as immich registers its repositories: the caps read several features' tables inside those
 * features' own transactions, which feature-module imports would turn into cycles.
 */
const REPOSITORIES = [
  UsersRepository,
  SessionsRepository,
  MessagesRepository,
  ExecutionStepsRepository,
  SandboxFilesRepository,
  TokenUsageRepository,
  IdempotencyKeysRepository,
  HistoryHeadsRepository,
  VersionsRepository,
  VersionChangesRepository,
  BlobsRepository,
  PreviewErrorsRepository,
  ApiKeysRepository,
  UserIdentitiesRepository,
  WebhooksRepository,
  WebhookDeliveriesRepository,
];

@Global()
@Module({ providers: [Sql, ...REPOSITORIES], exports: [Sql, ...REPOSITORIES] })
export class DatabaseModule {}
