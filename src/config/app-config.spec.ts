import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from './app-config.js';
import { parseDurationSeconds } from './duration.js';

const dataDir = () => mkdtempSync(join(tmpdir(), 'aeio-config-'));

describe('loadConfig', () => {
  it('applies the contract defaults', () => {
    const c = loadConfig({ DATA_DIR: dataDir() });
    expect(c.http).toMatchObject({ port: 3000, host: '0.0.0.0', bodyLimitBytes: 8 * 1024 * 1024 });
    expect(c.auth.accessTokenTtlSec).toBe(1800);
    expect(c.auth.previewTokenTtlSec).toBe(600);
    expect(c.llm).toEqual({
      apiKey: undefined,
      baseUrl: undefined,
      model: 'gpt-4o-mini',
      timeoutMs: 60000,
      maxRetries: 2,
      streamIdleMs: 60000,
    });
    expect(c.agent).toEqual({
      maxIterations: 25,
      runTimeoutMs: 600000,
      staleRunMs: 15000,
      historyBudgetChars: 48000,
      maxOutputTokens: 8192,
      maxTokensPerTurn: 400000,
      contextTokens: 100000,
      roundRetries: 2,
      models: ['gpt-4o-mini'],
      modelOptions: {},
    });
    expect(c.sandbox).toEqual({
      maxFileBytes: 1048576,
      maxSessionBytes: 104857600,
      maxFiles: 10000,
    });
    expect(c.caps).toEqual({
      free: { sessions: 100, storageBytes: 1073741824, concurrentRuns: 2, tokensPerDay: 1000000 },
      pro: { sessions: 1000, storageBytes: 10737418240, concurrentRuns: 5, tokensPerDay: 10000000 },
      enterprise: { sessions: 0, storageBytes: 0, concurrentRuns: 20, tokensPerDay: 0 },
    });
    expect(c.throttle).toEqual({
      ttlMs: 60000,
      authLimit: 20,
      authFailureLimit: 20,
      previewLimit: 1200,
      tierLimits: { free: 120, pro: 600, enterprise: 3000 },
    });
    expect(c.database.url).toBeUndefined();
    expect(c.redisUrl).toBeUndefined();
  });

  it('reads per-tier caps, 0 meaning unlimited, and refuses negative ones', () => {
    const c = loadConfig({
      DATA_DIR: dataDir(),
      LIMIT_SESSIONS_FREE: '0',
      LIMIT_CONCURRENT_RUNS_PRO: '7',
      SANDBOX_MAX_FILES: '5',
    });
    expect(c.caps.free.sessions).toBe(0);
    expect(c.caps.pro.concurrentRuns).toBe(7);
    expect(c.sandbox.maxFiles).toBe(5);
    expect(() => loadConfig({ DATA_DIR: dataDir(), LIMIT_TOKENS_PER_DAY_FREE: '-1' })).toThrow(
      /LIMIT_TOKENS_PER_DAY_FREE/,
    );
  });

  it('bounds every wait on the database and on Redis, configurably', () => {
    expect(loadConfig({ DATA_DIR: dataDir() }).database.pool).toEqual({
      max: 20,
      connectTimeoutMs: 3000,
      statementTimeoutMs: 15000,
      idleInTransactionTimeoutMs: 60000,
      queryTimeoutMs: 20000,
    });
    const c = loadConfig({
      DATA_DIR: dataDir(),
      DB_STATEMENT_TIMEOUT_MS: '2000',
      DB_CONNECT_TIMEOUT_MS: '1000',
      REDIS_COMMAND_TIMEOUT_MS: '250',
    });
    expect(c.database.pool).toMatchObject({ connectTimeoutMs: 1000, queryTimeoutMs: 7000 });
    expect(c.redisCommandTimeoutMs).toBe(250);
    expect(() => loadConfig({ DATA_DIR: dataDir(), DB_CONNECT_TIMEOUT_MS: '0' })).toThrow(
      ConfigError,
    );
  });

  it('reads AGENT_MODEL_OPTIONS and refuses invalid JSON or values, naming the variable', () => {
    const c = loadConfig({
      DATA_DIR: dataDir(),
      AGENT_MODEL_OPTIONS: '{"o3": {"output_param": "max_completion_tokens", "vision": true}}',
    });
    expect(c.agent.modelOptions).toEqual({
      o3: { output_param: 'max_completion_tokens', vision: true },
    });
    for (const raw of ['{o3:', '{"o3": {"context_tokens": "big"}}']) {
      expect(() => loadConfig({ DATA_DIR: dataDir(), AGENT_MODEL_OPTIONS: raw })).toThrow(
        ConfigError,
      );
      expect(() => loadConfig({ DATA_DIR: dataDir(), AGENT_MODEL_OPTIONS: raw })).toThrow(
        /AGENT_MODEL_OPTIONS/,
      );
    }
  });

  it('refuses to start in production without a JWT_SECRET', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', DATA_DIR: dataDir() })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: 'production', DATA_DIR: dataDir() })).toThrow(/JWT_SECRET/);
  });

  it('refuses a production JWT_SECRET shorter than 32 characters', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(31) })).toThrow(
      /at least 32/,
    );
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32) }).auth.jwtSecret).toBe(
      'x'.repeat(32),
    );
  });

  it('generates a development secret once and keeps it under the data dir', () => {
    const dir = dataDir();
    const first = loadConfig({ DATA_DIR: dir }).auth.jwtSecret;
    const second = loadConfig({ DATA_DIR: dir }).auth.jwtSecret;
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect(second).toBe(first);
    expect(readFileSync(join(dir, 'jwt-secret'), 'utf8')).toBe(first);
    expect(loadConfig({ DATA_DIR: dataDir() }).auth.jwtSecret).not.toBe(first);
  });

  it.each([
    ['JWT_EXPIRES_IN', 'soon', /JWT_EXPIRES_IN/],
    ['PORT', 'abc', /PORT/],
    ['SANDBOX_MAX_FILE_BYTES', '-1', /SANDBOX_MAX_FILE_BYTES/],
    ['AGENT_MAX_ITERATIONS', '2.5', /AGENT_MAX_ITERATIONS/],
    ['THROTTLE_LIMIT_PRO', '0', /THROTTLE_LIMIT_PRO/],
  ])('names the variable when %s is malformed', (key, value, message) => {
    expect(() => loadConfig({ DATA_DIR: dataDir(), [key]: value })).toThrow(message);
  });

  it('refuses HTTP_ADAPTER=express at boot, naming the variable (the service runs on Fastify only)', () => {
    for (const name of ['express', 'koa']) {
      expect(() => loadConfig({ DATA_DIR: dataDir(), HTTP_ADAPTER: name })).toThrow(
        `HTTP_ADAPTER is no longer supported: the service runs on Fastify only; remove HTTP_ADAPTER (got "${name}")`,
      );
    }
    // The old default names what runs anyway.
    expect(() => loadConfig({ DATA_DIR: dataDir(), HTTP_ADAPTER: 'fastify' })).not.toThrow();
  });

  it('reads every documented variable', () => {
    const c = loadConfig({
      PORT: '8080',
      HOST: '127.0.0.1',
      DATABASE_URL: 'postgres://u:p@db:5432/aeio',
      JWT_SECRET: 's'.repeat(40),
      JWT_EXPIRES_IN: '1h',
      OPENAI_API_KEY: 'sk-test',
      OPENAI_BASE_URL: 'http://localhost:11434/v1',
      OPENAI_MODEL: 'qwen2.5-coder',
      AGENT_MAX_ITERATIONS: '7',
      AGENT_MAX_OUTPUT_TOKENS: '4096',
      AGENT_MAX_TOKENS_PER_TURN: '50000',
      AGENT_CONTEXT_TOKENS: '32000',
      AGENT_ROUND_RETRIES: '0',
      AGENT_MODELS: 'llama3, qwen2.5-coder,gpt-4o',
      SANDBOX_MAX_SESSION_BYTES: '2000',
      SANDBOX_MAX_FILE_BYTES: '1000',
      THROTTLE_TTL_MS: '1000',
      THROTTLE_AUTH_LIMIT: '3',
      THROTTLE_AUTH_FAILURE_LIMIT: '7',
      THROTTLE_LIMIT_PREVIEW: '8',
      THROTTLE_LIMIT_FREE: '4',
      THROTTLE_LIMIT_PRO: '5',
      THROTTLE_LIMIT_ENTERPRISE: '6',
      REDIS_URL: 'redis://127.0.0.1:6379',
    });
    expect(c.http.port).toBe(8080);
    expect(c.http.host).toBe('127.0.0.1');
    expect(c.database.url).toBe('postgres://u:p@db:5432/aeio');
    expect(c.auth.accessTokenTtlSec).toBe(3600);
    expect(c.llm).toMatchObject({
      apiKey: 'sk-test',
      baseUrl: 'http://localhost:11434/v1',
      model: 'qwen2.5-coder',
    });
    expect(c.agent.maxIterations).toBe(7);
    expect(c.agent).toMatchObject({
      maxOutputTokens: 4096,
      maxTokensPerTurn: 50000,
      contextTokens: 32000,
      roundRetries: 0,
      // The default model first, each model once.
      models: ['qwen2.5-coder', 'llama3', 'gpt-4o'],
    });
    expect(c.sandbox).toEqual({ maxFileBytes: 1000, maxSessionBytes: 2000, maxFiles: 10000 });
    expect(c.throttle).toEqual({
      ttlMs: 1000,
      authLimit: 3,
      authFailureLimit: 7,
      previewLimit: 8,
      tierLimits: { free: 4, pro: 5, enterprise: 6 },
    });
    expect(c.redisUrl).toBe('redis://127.0.0.1:6379');
  });
});

describe('loadConfig: webhooks', () => {
  it('applies the webhook defaults', () => {
    expect(loadConfig({ DATA_DIR: dataDir() }).webhooks).toEqual({
      timeoutMs: 10000,
      retryBaseMs: 5000,
      maxAttempts: 6,
      allowPrivateTargets: false,
      concurrency: 8,
      pollMs: 5000,
      retentionDays: 7,
      maxPerUser: 20,
      dnsServers: [],
      dnsMaxInFlight: 64,
      dnsMaxPerUser: 4,
    });
  });

  it('reads every WEBHOOK_ variable and refuses a boolean that is not one', () => {
    const c = loadConfig({
      DATA_DIR: dataDir(),
      WEBHOOK_TIMEOUT_MS: '2000',
      WEBHOOK_RETRY_BASE_MS: '50',
      WEBHOOK_MAX_ATTEMPTS: '3',
      WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
      WEBHOOK_CONCURRENCY: '2',
      WEBHOOK_POLL_MS: '250',
      WEBHOOK_RETENTION_DAYS: '1',
      WEBHOOK_MAX_PER_USER: '3',
      WEBHOOK_DNS_SERVERS: '10.0.0.2, 10.0.0.3:5353',
      WEBHOOK_DNS_MAX_IN_FLIGHT: '9',
      WEBHOOK_DNS_MAX_PER_USER: '2',
    });
    expect(c.webhooks).toEqual({
      timeoutMs: 2000,
      retryBaseMs: 50,
      maxAttempts: 3,
      allowPrivateTargets: true,
      concurrency: 2,
      pollMs: 250,
      retentionDays: 1,
      maxPerUser: 3,
      dnsServers: ['10.0.0.2', '10.0.0.3:5353'],
      dnsMaxInFlight: 9,
      dnsMaxPerUser: 2,
    });
    expect(() => loadConfig({ DATA_DIR: dataDir(), WEBHOOK_ALLOW_PRIVATE_TARGETS: 'yes' })).toThrow(
      new ConfigError('WEBHOOK_ALLOW_PRIVATE_TARGETS must be true or false (got "yes")'),
    );
  });
});

describe('parseDurationSeconds', () => {
  it.each([
    ['30m', 1800],
    ['3s', 3],
    ['1h', 3600],
    ['2d', 172800],
    ['45', 45],
    [' 10M ', 600],
  ])('reads %j as %d seconds', (raw, seconds) => {
    expect(parseDurationSeconds(raw)).toBe(seconds);
  });

  it.each(['', 'abc', '10x', '-5m', '0', '1.5h'])('refuses %j', (raw) => {
    expect(parseDurationSeconds(raw)).toBeNull();
  });
});

describe('loadConfig: corporate identity and local login', () => {
  const oidcEnv = {
    AUTH_JWKS_URL: 'https://idp.example/.well-known/jwks.json',
    AUTH_ISSUER: 'https://idp.example/',
    AUTH_AUDIENCE: 'aeio',
  };

  it('has no IdP and local login on by default', () => {
    const c = loadConfig({ DATA_DIR: dataDir() });
    expect(c.auth.oidc).toBeNull();
    expect(c.auth.localLogin).toBe(true);
  });

  it('reads all three IdP variables, the username claim and the cooldown', () => {
    const c = loadConfig({ DATA_DIR: dataDir(), ...oidcEnv });
    expect(c.auth.oidc).toEqual({
      jwksUrl: oidcEnv.AUTH_JWKS_URL,
      issuer: oidcEnv.AUTH_ISSUER,
      audience: 'aeio',
      usernameClaim: 'preferred_username',
      jwksCooldownMs: 60_000,
    });
    const custom = loadConfig({
      DATA_DIR: dataDir(),
      ...oidcEnv,
      AUTH_USERNAME_CLAIM: 'upn',
      AUTH_JWKS_COOLDOWN_SEC: '5',
      AUTH_LOCAL_LOGIN: 'false',
    });
    expect(custom.auth.oidc).toMatchObject({ usernameClaim: 'upn', jwksCooldownMs: 5000 });
    expect(custom.auth.localLogin).toBe(false);
  });

  it.each([
    [{ AUTH_JWKS_URL: oidcEnv.AUTH_JWKS_URL }, /AUTH_ISSUER, AUTH_AUDIENCE are missing/],
    [{ AUTH_ISSUER: 'x', AUTH_AUDIENCE: 'y' }, /AUTH_JWKS_URL is missing/],
    [{ ...oidcEnv, AUTH_JWKS_URL: 'ftp://idp/jwks' }, /AUTH_JWKS_URL must be an http\(s\) URL/],
    [{ AUTH_LOCAL_LOGIN: 'false' }, /AUTH_LOCAL_LOGIN=false needs corporate identity/],
    [{ AUTH_LOCAL_LOGIN: 'no' }, /AUTH_LOCAL_LOGIN must be true or false/],
  ])('refuses to start with %j', (env, message) => {
    expect(() => loadConfig({ DATA_DIR: dataDir(), ...env })).toThrow(message);
    expect(() => loadConfig({ DATA_DIR: dataDir(), ...env })).toThrow(ConfigError);
  });
});
