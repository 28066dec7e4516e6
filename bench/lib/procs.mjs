// @ts-check
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';

/** Asks the OS for a free TCP port on loopback. */
export function freePort() {
  return /** @type {Promise<number>} */ (
    new Promise((resolve, reject) => {
      const server = createServer().on('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        const port = typeof address === 'object' && address ? address.port : 0;
        server.close(() => resolve(port));
      });
    })
  );
}

/** @type {Set<import('node:child_process').ChildProcess>} */
const children = new Set();

/** Kills every child still running (SIGKILL: this runs in process.on('exit'), nothing can wait). */
export function killAllChildrenSync() {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        child.kill('SIGKILL');
      } catch {
        // gone
      }
    }
  }
  children.clear();
}

/**
 * @typedef {object} Child
 * @property {import('node:child_process').ChildProcess} proc
 * @property {() => string} output  the last ~64 KB it printed
 * @property {(timeoutMs?: number) => Promise<void>} stop  SIGTERM, then SIGKILL after timeoutMs
 */

/**
 * Spawns a child process that the orchestrator tracks and always kills on exit.
 * @param {string} name
 * @param {string[]} args  node arguments
 * @param {{ env?: Record<string, string | undefined>, cwd?: string, onLine?: (line: string) => void, stdoutFile?: string }} [opts]
 * @returns {Child}
 */
export function spawnNode(name, args, opts = {}) {
  // A chatty process (info logging under load) writes its stdout to a file, as a deployment would,
  // rather than into this process's event loop.
  const stdoutFd = opts.stdoutFile ? openSync(opts.stdoutFile, 'a') : undefined;
  const proc = spawn(process.execPath, args, {
    env: opts.env ?? process.env,
    cwd: opts.cwd,
    stdio: ['ignore', stdoutFd ?? 'pipe', 'pipe'],
  });
  if (stdoutFd !== undefined) closeSync(stdoutFd);
  children.add(proc);
  let log = '';
  const keep = (/** @type {Buffer} */ d) => {
    log += d.toString();
    if (log.length > 65536) log = log.slice(-65536);
  };
  let partial = '';
  proc.stdout?.on('data', (d) => {
    keep(d);
    if (opts.onLine) {
      partial += d.toString();
      const lines = partial.split('\n');
      partial = lines.pop() ?? '';
      lines.forEach(opts.onLine);
    }
  });
  proc.stderr?.on('data', keep);
  proc.on('exit', () => children.delete(proc));
  return {
    proc,
    output: () => log,
    stop: async (timeoutMs = 10_000) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, timeoutMs).unref())]);
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGKILL');
        await exited;
      }
      void name;
    },
  };
}

/**
 * Runs a node script to its end and returns its stdout; rejects on a non-zero exit or after timeoutMs.
 * @param {string[]} args
 * @param {number} timeoutMs
 * @returns {Promise<string>}
 */
export function runNode(args, timeoutMs) {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(proc);
    let out = '';
    let err = '';
    proc.stdout.on('data', (d) => (out += d));
    proc.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`${args.join(' ').slice(0, 200)} took longer than ${timeoutMs} ms\n${err}`));
    }, timeoutMs);
    proc.on('exit', (code, signal) => {
      clearTimeout(timer);
      children.delete(proc);
      if (code === 0) resolve(out);
      else reject(new Error(`${args[0]} exited with ${code ?? signal}\n${err.slice(-4000)}`));
    });
  });
}

/**
 * Polls GET url until it answers 200.
 * @param {string} url
 * @param {Child} child
 * @param {number} [timeoutMs]
 */
export async function waitForHttp(url, child, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.proc.exitCode !== null || child.proc.signalCode !== null) {
      throw new Error(`${url}: the process exited (${child.proc.exitCode ?? child.proc.signalCode}):\n${child.output()}`);
    }
    const ok = await new Promise((resolve) => {
      const req = request(url, { timeout: 1000 }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      });
      req.on('error', () => resolve(false));
      req.on('timeout', () => req.destroy());
      req.end();
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms:\n${child.output()}`);
}

/**
 * Resident set size of a process in bytes, from /proc/<pid>/status (VmRSS).
 * @param {number} pid
 */
export function rssBytes(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /VmRSS:\s+(\d+)\s+kB/.exec(status);
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) * 1024;
}

/**
 * Total CPU time (user + system) a process has used so far, in ms, from /proc/<pid>/stat.
 * @param {number} pid
 */
export function cpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 (1-based), i.e. 11 and 12 after the command name and state.
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
}

export const sleep = (/** @type {number} */ ms) => new Promise((r) => setTimeout(r, ms));
