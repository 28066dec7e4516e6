// @ts-check
/**
 * Loaded into the service by `node --import ./bench/preload/eventloop.mjs dist/main.js` (benchmark only).
 * Samples the event-loop delay with perf_hooks.monitorEventLoopDelay (10 ms resolution, Node's default)
 * and, on SIGUSR2, writes the histogram since the previous signal (or start) as JSON to the file named by
 * BENCH_ELD_FILE, then resets it. The file is written whole and renamed, so a reader never sees half of it.
 *
 * Written: { seq, p50_ms, p90_ms, p99_ms, max_ms, mean_ms, count, window_ms, rss, heap_used, at }.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const file = process.env.BENCH_ELD_FILE;
const RESOLUTION_MS = 10;
const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
histogram.enable();
let since = Date.now();
let seq = 0;

const ms = (/** @type {number} */ ns) => Math.round((ns / 1e6) * 1000) / 1000;

process.on('SIGUSR2', () => {
  const mem = process.memoryUsage();
  const snapshot = {
    seq: ++seq,
    resolution_ms: RESOLUTION_MS,
    p50_ms: ms(histogram.percentile(50)),
    p90_ms: ms(histogram.percentile(90)),
    p99_ms: ms(histogram.percentile(99)),
    max_ms: ms(histogram.max),
    mean_ms: ms(histogram.mean),
    count: histogram.count,
    window_ms: Date.now() - since,
    rss: mem.rss,
    heap_used: mem.heapUsed,
    at: Date.now(),
  };
  histogram.reset();
  since = Date.now();
  if (file) {
    writeFileSync(`${file}.tmp`, JSON.stringify(snapshot));
    renameSync(`${file}.tmp`, file);
  }
});
