import { InitialSchema1764000000000 } from './1764000000000-initial-schema.js';
import { CapsAndIdempotency1764200000000 } from './1764200000000-caps-and-idempotency.js';
import { Versions1764400000000 } from './1764400000000-versions.js';
import { SessionModel1764500000000 } from './1764500000000-session-model.js';
import { PreviewErrors1764600000000 } from './1764600000000-preview-errors.js';
import { ApiKeysAndIdentities1764720000000 } from './1764720000000-api-keys-and-identities.js';
import { Webhooks1764800000000 } from './1764800000000-webhooks.js';
import { ModelsAsTheyAre1764900000000 } from './1764900000000-models-as-they-are.js';

/** Every migration, in order; listed explicitly so the compiled app and the tests load the same set. */
export const MIGRATIONS = [
  InitialSchema1764000000000,
  CapsAndIdempotency1764200000000,
  Versions1764400000000,
  SessionModel1764500000000,
  PreviewErrors1764600000000,
  ApiKeysAndIdentities1764720000000,
  Webhooks1764800000000,
  ModelsAsTheyAre1764900000000,
];
