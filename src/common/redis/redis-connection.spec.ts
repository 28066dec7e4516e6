import { createServer, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from '@jest/globals';
import type { AppConfig } from '../../config/app-config.js';
import { RedisConnection } from './redis.module.js';

/**
 * A stand-in Redis that answers the ready check (INFO) and QUIT; `refuseFirst` drops the first
 * connection before any reply, as a connect or ready-check timeout does during a start-up stall.
 */
async function fakeRedis(
  refuseFirst: boolean,
): Promise<{ stop: () => Promise<void>; port: number }> {
  let connections = 0;
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    if (refuseFirst && connections++ === 0) {
      socket.destroy();
      return;
    }
    // One reply per command of the chunk (ioredis pipelines CLIENT SETINFO with the INFO).
    socket.on('data', (chunk) => {
      for (const [, name] of chunk.toString().matchAll(/\*\d+\r\n\$\d+\r\n(\w+)/g)) {
        socket.write(name.toUpperCase() === 'INFO' ? '$11\r\nloading:0\r\n\r\n' : '+OK\r\n');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const stop = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      sockets.forEach((s) => s.destroy());
    });
  return { stop, port: (server.address() as AddressInfo).port };
}

const connect = (port: number) =>
  new RedisConnection({
    redisUrl: `redis://127.0.0.1:${port}`,
    redisCommandTimeoutMs: 500,
  } as AppConfig);

/** Shuts down as the app does, and stops reconnecting (a quit fails while disconnected). */
const stopClient = async (connection: RedisConnection) => {
  await connection.onApplicationShutdown();
  connection.client?.disconnect();
};

/** The changes `connection` reports until it has reported `until`. */
const changesUntil = (connection: RedisConnection, until: boolean) =>
  new Promise<boolean[]>((resolve) => {
    const seen: boolean[] = [];
    connection.onChange((up) => {
      seen.push(up);
      if (up === until) {
        resolve(seen);
      }
    });
  });

describe('RedisConnection', () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) {
      await step();
    }
  });

  it('reports no outage when only the first attempt at start-up fails', async () => {
    const { stop, port } = await fakeRedis(true);
    cleanup.push(stop);
    const connection = connect(port);
    cleanup.push(() => stopClient(connection));
    expect(await changesUntil(connection, true)).toEqual([true]);
    expect(connection.available).toBe(true);
  });

  it('reports an outage at start-up when Redis cannot be reached', async () => {
    const { stop, port } = await fakeRedis(false);
    await stop();
    const connection = connect(port);
    cleanup.push(() => stopClient(connection));
    expect(await changesUntil(connection, false)).toEqual([false]);
    expect(connection.available).toBe(false);
  });

  it('reports at once when an established connection drops', async () => {
    const { stop, port } = await fakeRedis(false);
    const connection = connect(port);
    cleanup.push(() => stopClient(connection));
    const changes = changesUntil(connection, false);
    await new Promise<void>((resolve) => connection.onChange((up) => up && resolve()));
    await stop();
    expect(await changes).toEqual([true, false]);
  });
});
