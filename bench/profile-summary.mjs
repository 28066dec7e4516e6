// @ts-check
/**
 * Summarises a V8 .cpuprofile (from `BENCH_CPU_PROF=1 npm run bench`, in bench/results/profiles/):
 * self time by function and by package, and inclusive time by package, as shares of busy (non-idle) time.
 *
 *   node bench/profile-summary.mjs bench/results/profiles/CPU.….cpuprofile [top=25]
 */
import { readFileSync } from 'node:fs';

const file = process.argv[2];
if (!file) {
  console.error('usage: node bench/profile-summary.mjs <file.cpuprofile> [top]');
  process.exit(2);
}
const top = Number(process.argv[3] ?? 25);
/** @type {{ nodes: { id: number, callFrame: { functionName: string, url: string, lineNumber: number }, children?: number[] }[], samples: number[], timeDeltas: number[] }} */
const profile = JSON.parse(readFileSync(file, 'utf8'));

/** @type {Map<number, typeof profile.nodes[number]>} */
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
/** @type {Map<number, number>} */
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

/** @type {Map<number, number>} self µs per node */
const self = new Map();
profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const all = [...self.values()].reduce((a, b) => a + b, 0);
const idleId = profile.nodes.find((n) => n.callFrame.functionName === '(idle)')?.id;
const idle = idleId === undefined ? 0 : (self.get(idleId) ?? 0);
// Percentages are of busy time (everything but "(idle)").
const total = all - idle;
if (idleId !== undefined) self.delete(idleId);

/** Where a frame comes from: a package, the service (dist/…), node internals, or V8 itself. */
function origin(/** @type {string} */ url, /** @type {string} */ name) {
  if (!url) return name.startsWith('(') ? name : '(native)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm !== -1) {
    const rest = url.slice(nm + 13).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (url.startsWith('node:')) return 'node:' + url.slice(5).split('/')[0];
  if (url.includes('/dist/')) return 'service (dist/)';
  return url;
}

/** @type {Map<string, number>} */
const fnSelf = new Map();
/** @type {Map<string, number>} */
const pkgSelf = new Map();
for (const [id, us] of self) {
  const { callFrame: f } = /** @type {typeof profile.nodes[number]} */ (byId.get(id));
  const where = origin(f.url, f.functionName);
  const short = f.url ? f.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/dist\//, 'dist/') : '';
  const key = `${f.functionName || '(anonymous)'}  ${short}${f.url ? `:${f.lineNumber + 1}` : ''}`;
  fnSelf.set(key, (fnSelf.get(key) ?? 0) + us);
  pkgSelf.set(where, (pkgSelf.get(where) ?? 0) + us);
}

// Inclusive time per package: a sample counts once for every package on its stack.
/** @type {Map<string, number>} */
const pkgIncl = new Map();
for (const [id, us] of self) {
  const seen = new Set();
  for (let cur = /** @type {number | undefined} */ (id); cur !== undefined; cur = parent.get(cur)) {
    const f = /** @type {typeof profile.nodes[number]} */ (byId.get(cur)).callFrame;
    seen.add(origin(f.url, f.functionName));
  }
  for (const p of seen) pkgIncl.set(p, (pkgIncl.get(p) ?? 0) + us);
}

const pct = (/** @type {number} */ us) => `${((100 * us) / total).toFixed(1).padStart(5)} %`;
const show = (/** @type {string} */ title, /** @type {Map<string, number>} */ m, /** @type {number} */ n) => {
  console.log(`\n${title}`);
  [...m.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .forEach(([k, us]) => console.log(`${pct(us)}  ${k}`));
};
console.log(`${file}: ${(all / 1e6).toFixed(1)} s sampled, ${(total / 1e6).toFixed(1)} s busy; percentages are of busy time`);
show('self time by package', pkgSelf, top);
show('inclusive time by package (a sample counts for every package on its stack)', pkgIncl, top);
show('self time by function', fnSelf, top);
