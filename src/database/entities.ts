import { UserTokenUsage } from '../caps/user-token-usage.entity.js';
import { IdempotencyKey } from '../idempotency/idempotency-key.entity.js';
import { ExecutionStep } from '../messages/execution-step.entity.js';
import { Message } from '../messages/message.entity.js';
import { SandboxFile } from '../sandbox/sandbox-file.entity.js';
import { Session } from '../sessions/session.entity.js';
import { User } from '../users/user.entity.js';

/** Every table's entity; `npm run schema:diff` (and test/e2e/schema) checks them against the migrations. */
export const ENTITIES = [
  User,
  Session,
  Message,
  ExecutionStep,
  SandboxFile,
  UserTokenUsage,
  IdempotencyKey,
];
