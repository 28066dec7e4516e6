import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { Logger } from '@nestjs/common';
import { createApp } from './bootstrap.js';
import { ConfigError, loadConfig } from './config/app-config.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './database/embedded-postgres.js';

async function main(): Promise<void> {
  const logger = new Logger('Main');
  if (existsSync('.env')) {
    process.loadEnvFile('.env');
  }
  const config = loadConfig(process.env);
  let embedded: EmbeddedDatabase | undefined;
  let url = config.database.url;
  if (!url) {
    logger.log(
      `DATABASE_URL is unset: starting embedded PostgreSQL in ${config.database.embeddedDir}`,
    );
    embedded = await startEmbeddedPostgres(config.database.embeddedDir, { persistent: true });
    url = embedded.url;
  }
  const app = await createApp({ ...config, database: { ...config.database, url } });
  if (embedded) {
    const db = embedded;
    // Stop PostgreSQL after Nest has closed its connections.
    process.once('beforeExit', () => void db.stop());
  }
  await app.listen(config.http.port, config.http.host);
  logger.log(`Aeio Dev Agent listening on http://${config.http.host}:${config.http.port}/api`);
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    console.error(`Configuration error: ${err.message}`);
  } else {
    console.error(err);
  }
  process.exit(1);
});
