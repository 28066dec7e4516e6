import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  copyFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { HttpClient } from './http-client.js';
import { freePort, TEST_JWT_SECRET } from './test-app.js';

/** An OS user to run as: uid/gid for spawn. */
export interface RunAs {
  uid: number;
  gid: number;
}

export function userIds(name: string): RunAs {
  const id = (flag: string) => Number(execFileSync('id', [flag, name], { encoding: 'utf8' }));
  return { uid: id('-u'), gid: id('-g') };
}

/**
 * A copy of the built project (package.json, dist, node_modules as hard links) inside a folder of
 * mode 700 owned by `owner` (root when unset): as a newcomer's `git clone` into their home would be.
 * Hard links, not symlinks: Node follows symlinks to their real path, which would be reachable.
 */
export function privateCheckout(owner?: RunAs): { root: string; app: string; remove(): void } {
  const root = mkdtempSync(join(tmpdir(), 'aeio-private-'));
  const app = join(root, 'app');
  mkdirSync(app);
  copyFileSync(resolve('package.json'), join(app, 'package.json'));
  cpSync(resolve('dist'), join(app, 'dist'), { recursive: true });
  execFileSync('cp', ['-al', resolve('node_modules'), join(app, 'node_modules')]);
  if (owner) {
    chownSync(root, owner.uid, owner.gid);
    chownSync(app, owner.uid, owner.gid);
  }
  chmodSync(root, 0o700);
  return { root, app, remove: () => rmSync(root, { recursive: true, force: true }) };
}

export interface Started {
  child: ChildProcess;
  http: HttpClient;
  output(): string;
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>;
}

/** Runs `node dist/main.js` in `cwd` as `npm start` does, with DATABASE_URL unset. */
export async function startCheckout(
  cwd: string,
  env: Record<string, string> = {},
  runAs?: RunAs,
  main = 'dist/main.js',
): Promise<Started> {
  const port = await freePort();
  let log = '';
  const child = spawn(process.execPath, [main], {
    cwd,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: String(port),
      JWT_SECRET: TEST_JWT_SECRET,
      THROTTLE_AUTH_LIMIT: '100000',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...runAs,
  });
  child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, http: new HttpClient(`http://127.0.0.1:${port}`), output: () => log, exited };
}

/** Waits until /api/health answers 200; fails with the process output if it exits or takes 60 s. */
export async function healthy(s: Started): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (s.child.exitCode !== null) {
      throw new Error(`exited with ${s.child.exitCode}:\n${s.output()}`);
    }
    try {
      if ((await s.http.get('/api/health')).status === 200) {
        return;
      }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`not healthy in 60 s:\n${s.output()}`);
}

/** SIGTERM, then SIGKILL after 15 s. */
export async function stop(s: Started): Promise<number | null> {
  if (s.child.exitCode === null) {
    s.child.kill('SIGTERM');
    const timer = setTimeout(() => s.child.kill('SIGKILL'), 15_000);
    await s.exited;
    clearTimeout(timer);
  }
  return s.child.exitCode;
}
