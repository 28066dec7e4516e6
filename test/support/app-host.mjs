// One long-lived Node process per Jest worker that boots the built service (`dist/`) in itself, as
// many times as the tests ask, each on its own port, database and configuration.
//
// Why not inside Jest: NestJS 12 is ESM-only and `@nestjs/throttler` is CommonJS; on Node 20 Jest's
// module loader cannot let a CommonJS module require an ES module, so `createApp` cannot be imported
// by a test file. Why not a fresh process per boot: loading Nest, TypeORM and the app costs seconds of
// CPU, paid ~90 times a run. Here it is paid once per worker; a boot is then `createApp` + `listen`.
//
// Protocol (IPC): {op:'start', id, env} -> {id, port} | {id, error}; {op:'stop', id} -> {id}.
import 'reflect-metadata';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const load = (file) => import(pathToFileURL(resolve('dist', file)).href);
const { createApp } = await load('bootstrap.js');
const { loadConfig } = await load('config/app-config.js');

/** @type {Map<string, import('@nestjs/common').INestApplication>} */
const apps = new Map();

async function start(id, env) {
  const config = loadConfig(env);
  const app = await createApp({ ...config, database: { ...config.database, url: env.DATABASE_URL } });
  await app.listen(0, '127.0.0.1');
  apps.set(id, app);
  return app.getHttpServer().address().port;
}

/** As `main.ts` on SIGTERM: Nest's shutdown hooks end this app's turns and workers, then the server. */
async function stop(id) {
  const app = apps.get(id);
  apps.delete(id);
  if (!app) {
    return;
  }
  const server = app.getHttpServer();
  server.closeIdleConnections();
  const cut = setTimeout(() => server.closeAllConnections(), 2000);
  try {
    await app.close();
  } finally {
    clearTimeout(cut);
  }
}

process.on('message', (msg) => {
  const reply = (extra) => process.send?.({ id: msg.id, ...extra });
  const run = msg.op === 'start' ? start(msg.id, msg.env).then((port) => ({ port })) : stop(msg.id);
  run.then(
    (res) => reply(res ?? {}),
    (err) => reply({ error: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
  );
});

// The Jest worker went away: so does everything it started here.
process.on('disconnect', () => {
  setTimeout(() => process.exit(0), 5000).unref();
  void Promise.allSettled([...apps.keys()].map(stop)).finally(() => process.exit(0));
});
process.send?.({ ready: true });
