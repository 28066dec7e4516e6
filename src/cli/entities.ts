import { ApiKey } from '../auth/api-keys/api-key.entity.js';
import { UserTokenUsage } from '../caps/user-token-usage.entity.js';
import { IdempotencyKey } from '../idempotency/idempotency-key.entity.js';
import { ExecutionStep } from '../messages/execution-step.entity.js';
import { Message } from '../messages/message.entity.js';
import { PreviewError } from '../sandbox/preview-errors/preview-error.entity.js';
import { SandboxFile } from '../sandbox/sandbox-file.entity.js';
import { Session } from '../sessions/session.entity.js';
import { UserIdentity } from '../users/user-identity.entity.js';
import { User } from '../users/user.entity.js';
import { BlobContent } from '../history/blob-content.entity.js';
import { SessionHistory } from '../history/session-history.entity.js';
import { SessionVersion } from '../history/session-version.entity.js';
import { VersionBlob } from '../history/version-blob.entity.js';
import { VersionChange } from '../history/version-change.entity.js';
import { WebhookDelivery } from '../webhooks/webhook-delivery.entity.js';
import { Webhook } from '../webhooks/webhook.entity.js';

/**
 * Every table's entity, for the CLIs' own data source: `npm run schema:diff` (and test/e2e/schema) checks
 * them against the migrations. The app registers the same classes per feature module
 * (`TypeOrmModule.forFeature`); `entities.spec.ts` keeps the two lists equal.
 */
export const ENTITIES = [
  User,
  Session,
  Message,
  ExecutionStep,
  SandboxFile,
  UserTokenUsage,
  IdempotencyKey,
  SessionHistory,
  SessionVersion,
  VersionChange,
  VersionBlob,
  BlobContent,
  PreviewError,
  ApiKey,
  UserIdentity,
  Webhook,
  WebhookDelivery,
];
