import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { Logger } from 'nestjs-pino';
import { pino } from 'pino';
import { RunRegistry } from './turns/run-registry.service.js';
import { WebhookWorker } from './webhooks/webhook-worker.service.js';
import { createApp } from './bootstrap.js';
import { ConfigError, loadConfig } from './config/app-config.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './database/embedded-postgres.js';
import { DataDirInUseError, embeddedHome } from './database/embedded-postgres-host.js';

async function main(): Promise<void> {
  if (existsSync('.env')) {
    process.loadEnvFile('.env');
  }
  const config = loadConfig(process.env);
  // Before Nest (and its pino logger) exists, log the same JSON way.
  const logger = pino({ level: config.log.level }).child({ context: 'Main' });
  let embedded: EmbeddedDatabase | undefined;
  let url = config.database.url;
  if (!url) {
    const home = embeddedHome(config.database.embeddedDir);
    logger.info(
      home.relocated
        ? `DATABASE_URL is unset: starting embedded PostgreSQL in ${home.dir} ` +
            `(the postgres OS user cannot enter ${config.database.embeddedDir}, so the data lives there)`
        : `DATABASE_URL is unset: starting embedded PostgreSQL in ${home.dir}`,
    );
    embedded = await startEmbeddedPostgres(home.dir, { persistent: true });
    url = embedded.url;
  }
  const app = await createApp({ ...config, database: { ...config.database, url } });
  await app.listen(config.http.port, config.http.host);
  app
    .get(Logger)
    .log(`Aeio Dev Agent listening on http://${config.http.host}:${config.http.port}/api`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) {
      return;
    }
    stopping = true;
    const log = app.get(Logger);
    log.log(`${signal}: shutting down`);
    const server = app.getHttpServer();
    // 1. Stop accepting; idle keep-alive connections close now, busy ones when their request ends.
    const drained = new Promise<void>((resolve) => server.close(() => resolve()));
    // 2. This replica's agent turns end as failed ("interrupted by shutdown"), closing their streams;
    //    the webhook worker claims no more deliveries (those under way finish or are left to their lease).
    app.get(WebhookWorker).stopClaiming();
    await app.get(RunRegistry).interruptAll();
    // 3. Short requests get a grace period to finish, then the rest are cut. Keep-alive connections
    //    that fall idle meanwhile are closed as they do, rather than after their keep-alive timeout.
    const reaper = setInterval(() => server.closeIdleConnections(), 100);
    await Promise.race([
      drained,
      new Promise((r) => setTimeout(r, config.http.shutdownGraceMs).unref()),
    ]);
    clearInterval(reaper);
    server.closeAllConnections();
    // 4. Nest hooks, then the database pool, then the embedded server.
    await app.close();
    await embedded?.stop();
    log.log('shutdown complete');
    process.exit(0);
  };
  process.once('SIGTERM', (s) => void shutdown(s));
  process.once('SIGINT', (s) => void shutdown(s));
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    console.error(`Configuration error: ${err.message}`);
  } else if (err instanceof DataDirInUseError) {
    console.error(err.message);
  } else {
    console.error(err);
  }
  process.exit(1);
});
