import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  healthy,
  privateCheckout,
  startCheckout,
  stop,
  userIds,
  type RunAs,
  type Started,
} from '../support/checkout.js';

const asRoot = process.getuid?.() === 0;
const PASSWORD = 'correct horse battery';

if (!asRoot) {
  // CI runs as root; a non-root run can only check the ordinary-user half.
  console.warn(
    'faults-newcomer: not root, so the "root in a private folder" scenario is skipped ' +
      '(only root can make a folder the postgres OS user cannot enter and still run the service there)',
  );
}

/** The cluster folder the service said it starts PostgreSQL in (it may have moved it for root). */
function clusterOf(s: Started): string {
  const m = /starting embedded PostgreSQL in ([^\s"]+)/.exec(s.output());
  if (!m) {
    throw new Error(`no start-up line naming the data folder:\n${s.output()}`);
  }
  return join(m[1], 'cluster');
}

const postmasterPid = (cluster: string) =>
  Number(readFileSync(join(cluster, 'postmaster.pid'), 'utf8').split('\n')[0]);

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

/** Ended (a zombie waiting for whoever adopted it counts as ended: it holds nothing). */
const gone = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
};

const scenarios: [string, () => RunAs | undefined][] = [
  ...(asRoot ? [['root', () => undefined] as [string, () => RunAs | undefined]] : []),
  ['an ordinary user', () => (asRoot ? userIds('nobody') : undefined)],
];

describe.each(scenarios)('npm start in a private folder (mode 700) as %s', (_who, who) => {
  let checkout: ReturnType<typeof privateCheckout>;
  let runAs: RunAs | undefined;
  const started: Started[] = [];
  const start = async (env: Record<string, string> = {}) => {
    const s = await startCheckout(checkout.app, env, runAs);
    started.push(s);
    return s;
  };
  const relocated = new Set<string>();

  beforeAll(() => {
    runAs = who();
    checkout = privateCheckout(runAs);
  });
  afterAll(async () => {
    for (const s of started) {
      await stop(s);
    }
    checkout.remove();
    for (const dir of relocated) {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answers /api/health 200 with DATABASE_URL unset and keeps its data across a restart', async () => {
    const first = await start();
    await healthy(first);
    const cluster = clusterOf(first);
    if (runAs === undefined && asRoot) {
      // The postgres OS user cannot enter the checkout: the cluster lives where it can, and the log says so.
      expect(cluster.startsWith('/var/lib/aeio-dev-agent/')).toBe(true);
      expect(first.output()).toContain('the postgres OS user cannot enter');
      relocated.add(dirname(dirname(cluster)));
    } else {
      expect(cluster).toBe(join(checkout.app, '.data', 'postgres', 'cluster'));
    }
    const reg = await first.http.post('/api/auth/register', {
      body: { username: 'newcomer', email: 'newcomer@example.com', password: PASSWORD },
    });
    expect(reg.status).toBe(201);
    expect(await stop(first)).toBe(0);

    const second = await start();
    await healthy(second);
    expect(clusterOf(second)).toBe(cluster);
    const login = await second.http.post('/api/auth/login', {
      body: { username: 'newcomer', password: PASSWORD },
    });
    expect(login.status).toBe(200);
    expect(await stop(second)).toBe(0);
  });

  it('refuses a second start on the same data folder, naming the process that holds it', async () => {
    const first = await start();
    await healthy(first);
    const pgPid = postmasterPid(clusterOf(first));

    const second = await start();
    expect(await second.exited).toBe(1);
    const out = second.output();
    expect(out).toContain(`is in use by PID ${pgPid}`);
    expect(out).toContain(`started by PID ${first.child.pid}`);
    expect(out).not.toMatch(/^undefined$/m);
    // The first one is untouched.
    expect((await first.http.get('/api/health')).status).toBe(200);
    expect(await stop(first)).toBe(0);
  });

  it('starts again after a crash that left a stale postmaster.pid behind', async () => {
    const first = await start();
    await healthy(first);
    const cluster = clusterOf(first);
    const pgPid = postmasterPid(cluster);
    const doomed = [pgPid, ...childrenOf(pgPid)];
    first.child.kill('SIGKILL');
    for (const pid of doomed) {
      process.kill(pid, 'SIGKILL');
    }
    await first.exited;
    while (!doomed.every(gone)) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(postmasterPid(cluster)).toBe(pgPid);

    const again = await start();
    await healthy(again);
    const login = await again.http.post('/api/auth/login', {
      body: { username: 'newcomer', password: PASSWORD },
    });
    expect(login.status).toBe(200);
    expect(await stop(again)).toBe(0);
  });
});
