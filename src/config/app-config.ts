import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseDurationSeconds } from './duration.js';
import { parseModelOptions, type ModelOptions } from './model-options.js';

export type Tier = 'free' | 'pro' | 'enterprise';

/** Per-user caps of one tier; 0 means unlimited. */
export interface TierCaps {
  sessions: number;
  storageBytes: number;
  concurrentRuns: number;
  tokensPerDay: number;
}

/** Everything the service reads from its environment, parsed and validated once at boot. */
export interface AppConfig {
  production: boolean;
  http: {
    port: number;
    host: string;
    /** Largest JSON body of a sandbox file write (`BODY_LIMIT_BYTES`). */
    bodyLimitBytes: number;
    /** Largest JSON body of a chat message. */
    bodyLimitMessageBytes: number;
    /** Largest body of every other route. */
    bodyLimitDefaultBytes: number;
    trustProxy: string | boolean | number;
    sseHeartbeatMs: number;
    /** Bytes a slow SSE reader may leave unread before its stream is closed. */
    sseMaxBufferedBytes: number;
    /** Open SSE streams per user on one replica; 0 = unlimited. */
    maxStreamsPerUser: number;
    /** Allowed browser origins for CORS; empty = CORS off. */
    corsOrigins: string[];
    /** How long in-flight requests may take to finish after SIGTERM. */
    shutdownGraceMs: number;
  };
  log: { level: string };
  /** Existing users made admins at start-up while the deployment has no active admin (never at registration). */
  adminUsernames: string[];
  database: {
    url: string | undefined;
    embeddedDir: string;
    dataDir: string;
    pool: DatabasePoolConfig;
  };
  auth: {
    jwtSecret: string;
    accessTokenTtlSec: number;
    previewTokenTtlSec: number;
    /** `AUTH_LOCAL_LOGIN`: false turns register and password login off (sign-in goes through the IdP). */
    localLogin: boolean;
    /** Corporate identity: tokens of the company's identity provider; null when not configured. */
    oidc: OidcConfig | null;
  };
  llm: {
    apiKey: string | undefined;
    baseUrl: string | undefined;
    model: string;
    timeoutMs: number;
    maxRetries: number;
    streamIdleMs: number;
  };
  agent: {
    maxIterations: number;
    runTimeoutMs: number;
    staleRunMs: number;
    historyBudgetChars: number;
    /** `max_tokens` of every model response. */
    maxOutputTokens: number;
    /** Prompt + completion tokens one turn may spend before it ends `budget`. */
    maxTokensPerTurn: number;
    /** Estimated tokens one request may hold before older tool contents become stubs. */
    contextTokens: number;
    /** Times a round is retried after a dropped stream or a 429 before the turn fails. */
    roundRetries: number;
    /** Models a session may choose (`AGENT_MODELS`); the first is the default (`OPENAI_MODEL`). */
    models: string[];
    /** `AGENT_MODEL_OPTIONS`: per model id, what differs from the defaults above. */
    modelOptions: Record<string, ModelOptions>;
  };
  sandbox: { maxFileBytes: number; maxSessionBytes: number; maxFiles: number };
  /** Bytes of stored contents a session's history may keep before its oldest versions are pruned. */
  history: { maxBytes: number };
  /** LIMIT_<WHAT>_<TIER>: what one user may hold or run at once, by tier (0 = unlimited). */
  caps: Record<Tier, TierCaps>;
  throttle: {
    ttlMs: number;
    authLimit: number;
    /** Failed bearer authentications per window per client address before it gets 429. */
    authFailureLimit: number;
    /** Requests per window per user on preview routes, a bucket apart from the tier's API limit. */
    previewLimit: number;
    tierLimits: Record<Tier, number>;
  };
  /** Outgoing webhooks: the delivery worker and the SSRF guard. */
  webhooks: WebhooksConfig;
  redisUrl: string | undefined;
  /** Bound on one Redis command; past it the request falls back to per-replica counters. */
  redisCommandTimeoutMs: number;
  /** Prefix of every Redis key and channel, so several deployments can share one Redis. */
  redisPrefix: string;
}

/** An OpenID Connect identity provider whose access tokens are accepted as bearer tokens. */
export interface OidcConfig {
  jwksUrl: string;
  issuer: string;
  audience: string;
  /** The claim new users are named from (`AUTH_USERNAME_CLAIM`). */
  usernameClaim: string;
  /** Least time between two fetches of the JWKS, so unknown `kid`s cannot hammer the IdP. */
  jwksCooldownMs: number;
}

export interface WebhooksConfig {
  /** One delivery attempt's bound, connect to last byte (`WEBHOOK_TIMEOUT_MS`). */
  timeoutMs: number;
  /** Wait after failed attempt n: base × 2^(n−1) (`WEBHOOK_RETRY_BASE_MS`). */
  retryBaseMs: number;
  /** Attempts before a delivery is `failed` (`WEBHOOK_MAX_ATTEMPTS`). */
  maxAttempts: number;
  /** Lets webhooks target loopback, private and link-local addresses (`WEBHOOK_ALLOW_PRIVATE_TARGETS`). */
  allowPrivateTargets: boolean;
  /** Attempts one replica runs at once (`WEBHOOK_CONCURRENCY`). */
  concurrency: number;
  /** How often a replica looks for due deliveries when no notification woke it (`WEBHOOK_POLL_MS`). */
  pollMs: number;
  /** Days delivered and failed deliveries are kept (`WEBHOOK_RETENTION_DAYS`). */
  retentionDays: number;
  /** Webhooks one user may register (`WEBHOOK_MAX_PER_USER`). */
  maxPerUser: number;
  /** DNS servers (`ip` or `ip:port`) webhook hosts are resolved at; empty: the system's (`WEBHOOK_DNS_SERVERS`). */
  dnsServers: string[];
  /** Webhook host look-ups one replica has in flight at most (`WEBHOOK_DNS_MAX_IN_FLIGHT`). */
  dnsMaxInFlight: number;
  /** …and of those, one user's (`WEBHOOK_DNS_MAX_PER_USER`). */
  dnsMaxPerUser: number;
}

/** How the pg pool waits, so an unreachable or hung database fails a request fast instead of hanging it. */
export interface DatabasePoolConfig {
  max: number;
  /** Bounds opening a connection and waiting for a free one in the pool. */
  connectTimeoutMs: number;
  /** Server-side `statement_timeout`. */
  statementTimeoutMs: number;
  /** Server-side `idle_in_transaction_session_timeout`. */
  idleInTransactionTimeoutMs: number;
  /** Client-side bound on one query, for a server that stops answering without closing the socket. */
  queryTimeoutMs: number;
}

export type Env = Record<string, string | undefined>;

export class ConfigError extends Error {}

function int(env: Env, key: string, fallback: number, min = 1): number {
  const raw = env[key];
  if (raw === undefined || raw.trim() === '') {
    return fallback;
  }
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new ConfigError(`${key} must be an integer ≥ ${min} (got "${raw}")`);
  }
  return value;
}

function bool(env: Env, key: string, fallback: boolean): boolean {
  const raw = env[key]?.trim().toLowerCase();
  if (raw === undefined || raw === '') {
    return fallback;
  }
  if (raw === 'true' || raw === '1') {
    return true;
  }
  if (raw === 'false' || raw === '0') {
    return false;
  }
  throw new ConfigError(`${key} must be true or false (got "${env[key]}")`);
}

function str(env: Env, key: string): string | undefined {
  const raw = env[key]?.trim();
  return raw ? raw : undefined;
}

/** In development a random secret is generated once and kept under the data dir, so tokens survive restarts. */
function devJwtSecret(dataDir: string): string {
  const file = resolve(dataDir, 'jwt-secret');
  if (existsSync(file)) {
    return readFileSync(file, 'utf8').trim();
  }
  const secret = randomBytes(48).toString('base64url');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

function jwtSecret(env: Env, production: boolean, dataDir: string): string {
  const secret = str(env, 'JWT_SECRET');
  if (production && (!secret || secret.length < 32)) {
    throw new ConfigError(
      'JWT_SECRET must be set to at least 32 characters when NODE_ENV=production ' +
        "(generate one with: node -e \"console.log(require('crypto').randomBytes(48).toString('base64url'))\")",
    );
  }
  return secret ?? devJwtSecret(dataDir);
}

const OIDC_KEYS = ['AUTH_JWKS_URL', 'AUTH_ISSUER', 'AUTH_AUDIENCE'] as const;

/** All three of AUTH_JWKS_URL, AUTH_ISSUER and AUTH_AUDIENCE, or none (a half-configured IdP is refused). */
function oidcConfig(env: Env): OidcConfig | null {
  const set = OIDC_KEYS.filter((k) => str(env, k) !== undefined);
  if (set.length === 0) {
    return null;
  }
  if (set.length < OIDC_KEYS.length) {
    const missing = OIDC_KEYS.filter((k) => !set.includes(k));
    throw new ConfigError(
      `corporate identity needs all of ${OIDC_KEYS.join(', ')}: ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} missing`,
    );
  }
  const jwksUrl = str(env, 'AUTH_JWKS_URL')!;
  let protocol: string;
  try {
    protocol = new URL(jwksUrl).protocol;
  } catch {
    protocol = '';
  }
  if (protocol !== 'https:' && protocol !== 'http:') {
    throw new ConfigError(`AUTH_JWKS_URL must be an http(s) URL (got "${jwksUrl}")`);
  }
  return {
    jwksUrl,
    issuer: str(env, 'AUTH_ISSUER')!,
    audience: str(env, 'AUTH_AUDIENCE')!,
    usernameClaim: str(env, 'AUTH_USERNAME_CLAIM') ?? 'preferred_username',
    jwksCooldownMs: int(env, 'AUTH_JWKS_COOLDOWN_SEC', 60) * 1000,
  };
}

function authConfig(env: Env, production: boolean, dataDir: string): AppConfig['auth'] {
  const ttlRaw = str(env, 'JWT_EXPIRES_IN') ?? '30m';
  const accessTokenTtlSec = parseDurationSeconds(ttlRaw);
  if (accessTokenTtlSec === null) {
    throw new ConfigError(
      `JWT_EXPIRES_IN must look like 30m, 3s, 1h or a number of seconds (got "${ttlRaw}")`,
    );
  }
  const oidc = oidcConfig(env);
  const localLogin = bool(env, 'AUTH_LOCAL_LOGIN', true);
  if (!localLogin && !oidc) {
    throw new ConfigError(
      `AUTH_LOCAL_LOGIN=false needs corporate identity (${OIDC_KEYS.join(', ')}): otherwise nobody could sign in`,
    );
  }
  return {
    jwtSecret: jwtSecret(env, production, dataDir),
    accessTokenTtlSec,
    previewTokenTtlSec: 600,
    localLogin,
    oidc,
  };
}

function list(env: Env, key: string): string[] {
  return (str(env, key) ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The default model (OPENAI_MODEL) first, then the others of AGENT_MODELS, each once. */
/** `AGENT_MODEL_OPTIONS`, refused at boot with the variable named when it is not valid. */
function modelOptions(env: Env): Record<string, ModelOptions> {
  try {
    return parseModelOptions(str(env, 'AGENT_MODEL_OPTIONS'));
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
}

function agentModels(env: Env): string[] {
  const fallback = str(env, 'OPENAI_MODEL') ?? 'gpt-4o-mini';
  return [...new Set([fallback, ...list(env, 'AGENT_MODELS')])];
}

/** `TRUST_PROXY`: a hop count, true/false, or addresses/subnets (loopback, 10.0.0.0/8, …). */
function parseTrustProxy(raw: string | undefined): string | boolean | number {
  if (raw === undefined || raw === 'false') {
    return false;
  }
  if (raw === 'true') {
    return true;
  }
  return /^\d+$/.test(raw) ? Number(raw) : raw;
}

const GIB = 1024 * 1024 * 1024;

/** One tier's caps from LIMIT_<WHAT>_<TIER>, defaults in the order sessions, storage, runs, tokens. */
function tierCaps(env: Env, tier: string, defaults: [number, number, number, number]): TierCaps {
  const [sessions, storageBytes, concurrentRuns, tokensPerDay] = defaults;
  return {
    sessions: int(env, `LIMIT_SESSIONS_${tier}`, sessions, 0),
    storageBytes: int(env, `LIMIT_STORAGE_BYTES_${tier}`, storageBytes, 0),
    concurrentRuns: int(env, `LIMIT_CONCURRENT_RUNS_${tier}`, concurrentRuns, 0),
    tokensPerDay: int(env, `LIMIT_TOKENS_PER_DAY_${tier}`, tokensPerDay, 0),
  };
}

/**
 * The service runs on Fastify only. `HTTP_ADAPTER=express` used to choose Express; a deployment that
 * still sets it is told at boot rather than silently served by the other stack. `fastify`, the old
 * default, is harmless and ignored.
 */
function refuseRemovedAdapter(env: Env): void {
  const name = str(env, 'HTTP_ADAPTER');
  if (name !== undefined && name !== 'fastify') {
    throw new ConfigError(
      `HTTP_ADAPTER is no longer supported: the service runs on Fastify only; remove HTTP_ADAPTER (got "${name}")`,
    );
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function logLevel(env: Env): string {
  const level = str(env, 'LOG_LEVEL') ?? 'info';
  if (!LOG_LEVELS.includes(level)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${level}")`);
  }
  return level;
}

export const DEFAULT_DATABASE_POOL: DatabasePoolConfig = {
  max: 20,
  connectTimeoutMs: 3000,
  statementTimeoutMs: 15_000,
  idleInTransactionTimeoutMs: 60_000,
  queryTimeoutMs: 20_000,
};

function databasePool(env: Env): DatabasePoolConfig {
  const d = DEFAULT_DATABASE_POOL;
  const statementTimeoutMs = int(env, 'DB_STATEMENT_TIMEOUT_MS', d.statementTimeoutMs);
  return {
    max: int(env, 'DB_POOL_MAX', d.max),
    connectTimeoutMs: int(env, 'DB_CONNECT_TIMEOUT_MS', d.connectTimeoutMs),
    statementTimeoutMs,
    idleInTransactionTimeoutMs: int(
      env,
      'DB_IDLE_IN_TRANSACTION_TIMEOUT_MS',
      d.idleInTransactionTimeoutMs,
    ),
    // A little past the server's own limit by default, so the server's clearer error wins.
    queryTimeoutMs: int(env, 'DB_QUERY_TIMEOUT_MS', statementTimeoutMs + 5000),
  };
}

/** Where the database is: the part of the config the CLIs need (they must not require JWT_SECRET & co). */
export function databaseConfig(env: Env): AppConfig['database'] {
  const dataDir = resolve(str(env, 'DATA_DIR') ?? '.data');
  return {
    url: str(env, 'DATABASE_URL'),
    embeddedDir: resolve(dataDir, 'postgres'),
    dataDir,
    pool: databasePool(env),
  };
}

export function loadConfig(env: Env): AppConfig {
  refuseRemovedAdapter(env);
  const production = env.NODE_ENV === 'production';
  const database = databaseConfig(env);
  const { dataDir } = database;
  return {
    production,
    http: {
      port: int(env, 'PORT', 3000, 0),
      host: str(env, 'HOST') ?? '0.0.0.0',
      bodyLimitBytes: int(env, 'BODY_LIMIT_BYTES', 8 * 1024 * 1024),
      bodyLimitMessageBytes: int(env, 'BODY_LIMIT_MESSAGE_BYTES', 1024 * 1024),
      bodyLimitDefaultBytes: int(env, 'BODY_LIMIT_DEFAULT_BYTES', 64 * 1024),
      trustProxy: parseTrustProxy(str(env, 'TRUST_PROXY')),
      sseHeartbeatMs: int(env, 'SSE_HEARTBEAT_MS', 15_000),
      sseMaxBufferedBytes: int(env, 'SSE_MAX_BUFFERED_BYTES', 1024 * 1024, 1024),
      maxStreamsPerUser: int(env, 'LIMIT_STREAMS_PER_USER', 20, 0),
      corsOrigins: list(env, 'CORS_ORIGINS'),
      shutdownGraceMs: int(env, 'SHUTDOWN_GRACE_MS', 10_000, 0),
    },
    log: { level: logLevel(env) },
    adminUsernames: list(env, 'ADMIN_USERNAMES').map((u) => u.toLowerCase()),
    database,
    auth: authConfig(env, production, dataDir),
    llm: {
      apiKey: str(env, 'OPENAI_API_KEY'),
      baseUrl: str(env, 'OPENAI_BASE_URL'),
      model: str(env, 'OPENAI_MODEL') ?? 'gpt-4o-mini',
      timeoutMs: int(env, 'OPENAI_TIMEOUT_MS', 60_000),
      maxRetries: int(env, 'OPENAI_MAX_RETRIES', 2, 0),
      streamIdleMs: int(env, 'OPENAI_STREAM_IDLE_MS', 60_000),
    },
    agent: {
      maxIterations: int(env, 'AGENT_MAX_ITERATIONS', 25),
      runTimeoutMs: int(env, 'AGENT_RUN_TIMEOUT_MS', 600_000),
      // Beats every fifth of it, sweeps every fifth: a dead replica's turn fails within 1.2 × this (18 s < 30 s).
      staleRunMs: int(env, 'AGENT_STALE_RUN_MS', 15_000, 1000),
      historyBudgetChars: int(env, 'AGENT_HISTORY_CHARS', 48_000, 0),
      maxOutputTokens: int(env, 'AGENT_MAX_OUTPUT_TOKENS', 8192, 256),
      maxTokensPerTurn: int(env, 'AGENT_MAX_TOKENS_PER_TURN', 400_000, 1000),
      contextTokens: int(env, 'AGENT_CONTEXT_TOKENS', 100_000, 2000),
      roundRetries: int(env, 'AGENT_ROUND_RETRIES', 2, 0),
      models: agentModels(env),
      modelOptions: modelOptions(env),
    },
    sandbox: {
      maxFileBytes: int(env, 'SANDBOX_MAX_FILE_BYTES', 1024 * 1024),
      maxSessionBytes: int(env, 'SANDBOX_MAX_SESSION_BYTES', 100 * 1024 * 1024),
      maxFiles: int(env, 'SANDBOX_MAX_FILES', 10_000),
    },
    history: { maxBytes: int(env, 'SANDBOX_HISTORY_MAX_BYTES', 256 * 1024 * 1024) },
    caps: {
      free: tierCaps(env, 'FREE', [100, GIB, 2, 1_000_000]),
      pro: tierCaps(env, 'PRO', [1000, 10 * GIB, 5, 10_000_000]),
      enterprise: tierCaps(env, 'ENTERPRISE', [0, 0, 20, 0]),
    },
    throttle: {
      ttlMs: int(env, 'THROTTLE_TTL_MS', 60_000),
      authLimit: int(env, 'THROTTLE_AUTH_LIMIT', 20),
      authFailureLimit: int(env, 'THROTTLE_AUTH_FAILURE_LIMIT', 20),
      previewLimit: int(env, 'THROTTLE_LIMIT_PREVIEW', 1200),
      tierLimits: {
        free: int(env, 'THROTTLE_LIMIT_FREE', 120),
        pro: int(env, 'THROTTLE_LIMIT_PRO', 600),
        enterprise: int(env, 'THROTTLE_LIMIT_ENTERPRISE', 3000),
      },
    },
    webhooks: {
      timeoutMs: int(env, 'WEBHOOK_TIMEOUT_MS', 10_000),
      retryBaseMs: int(env, 'WEBHOOK_RETRY_BASE_MS', 5000),
      maxAttempts: int(env, 'WEBHOOK_MAX_ATTEMPTS', 6),
      allowPrivateTargets: bool(env, 'WEBHOOK_ALLOW_PRIVATE_TARGETS', false),
      concurrency: int(env, 'WEBHOOK_CONCURRENCY', 8),
      pollMs: int(env, 'WEBHOOK_POLL_MS', 5000, 100),
      retentionDays: int(env, 'WEBHOOK_RETENTION_DAYS', 7),
      maxPerUser: int(env, 'WEBHOOK_MAX_PER_USER', 20),
      dnsServers: list(env, 'WEBHOOK_DNS_SERVERS'),
      dnsMaxInFlight: int(env, 'WEBHOOK_DNS_MAX_IN_FLIGHT', 64),
      dnsMaxPerUser: int(env, 'WEBHOOK_DNS_MAX_PER_USER', 4),
    },
    redisUrl: str(env, 'REDIS_URL'),
    redisCommandTimeoutMs: int(env, 'REDIS_COMMAND_TIMEOUT_MS', 500),
    redisPrefix: str(env, 'REDIS_PREFIX') ?? 'aeio:',
  };
}
