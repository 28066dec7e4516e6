import 'reflect-metadata';
import { existsSync, readFileSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { databaseConfig } from '../config/app-config.js';
import { dataSourceOptions } from '../database/data-source-options.js';
import { embeddedFiles, startEmbeddedPostgres } from '../database/embedded-postgres.js';
import { embeddedHome, runningPostmaster } from '../database/embedded-postgres-host.js';
import { ENTITIES } from './entities.js';

export interface ConfiguredDatabase {
  db: DataSource;
  /** Says which database this is, for the CLI's messages. */
  where: string;
  close: () => Promise<void>;
}

/**
 * The database `npm start` would use, for the CLIs: DATABASE_URL when set, else the embedded one of
 * DATA_DIR — the running server's (port from its postmaster.pid, password from beside the cluster)
 * while `npm start` runs, or one started here for the command's duration when it does not.
 */
export async function openConfiguredDatabase(
  opts: { runMigrations: boolean } = { runMigrations: false },
): Promise<ConfiguredDatabase> {
  if (existsSync('.env')) {
    process.loadEnvFile('.env');
  }
  const config = databaseConfig(process.env);
  let url = config.url;
  let where = 'DATABASE_URL';
  let stopEmbedded: () => Promise<void> = () => Promise.resolve();
  if (!url) {
    const home = embeddedHome(config.embeddedDir);
    const { clusterDir, passwordFile } = embeddedFiles(home.dir);
    const running = runningPostmaster(clusterDir);
    if (running?.port && existsSync(passwordFile)) {
      const password = readFileSync(passwordFile, 'utf8').trim();
      url = `postgres://postgres:${password}@127.0.0.1:${running.port}/aeio`;
      where = `the running embedded PostgreSQL in ${home.dir} (PID ${running.pid})`;
    } else {
      const embedded = await startEmbeddedPostgres(home.dir, { persistent: true });
      url = embedded.url;
      where = `the embedded PostgreSQL in ${home.dir}`;
      stopEmbedded = () => embedded.stop();
    }
  }
  try {
    const db = await new DataSource({
      ...dataSourceOptions(url, undefined, ENTITIES),
      migrationsRun: opts.runMigrations,
    }).initialize();
    return {
      db,
      where,
      close: async () => {
        await db.destroy();
        await stopEmbedded();
      },
    };
  } catch (err) {
    await stopEmbedded();
    throw err;
  }
}
