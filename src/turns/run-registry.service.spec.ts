import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import type { AppConfig } from '../config/app-config.js';
import type { TurnStateService } from './turn-state.service.js';
import { RunRegistry } from './run-registry.service.js';

/** The registry's timers against a stand-in for the database: heartbeats that fail, turns that vanish. */
function setUp(heartbeat: (ids: number[]) => Promise<number[]>) {
  const beats: number[] = [];
  const turns = {
    cancelRequested: () => Promise.resolve([]),
    heartbeat: (ids: number[]) => {
      beats.push(Date.now());
      return heartbeat(ids);
    },
    failStale: () => Promise.resolve([]),
  };
  const config = { agent: { staleRunMs: 15_000 } } as AppConfig;
  const registry = new RunRegistry(turns as unknown as TurnStateService, config);
  const controller = new AbortController();
  registry.register(7, controller, new Promise(() => undefined));
  registry.onApplicationBootstrap();
  return { registry, beats, controller };
}

describe('RunRegistry heartbeats', () => {
  let registry: RunRegistry | undefined;
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(async () => {
    jest.useRealTimers();
    await registry?.interruptAll(0);
    jest.restoreAllMocks();
  });

  it('retries a failed heartbeat at the next poll and warns once, not at every failure', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    let failures = 3;
    const t = setUp((ids) =>
      failures-- > 0 ? Promise.reject(new Error('database away')) : Promise.resolve(ids),
    );
    registry = t.registry;
    await jest.advanceTimersByTimeAsync(2_000);
    // Polls at 0.5, 1, 1.5 s fail; the one at 2 s succeeds; none is left waiting a whole interval (3 s).
    expect(t.beats).toHaveLength(4);
    expect(warn.mock.calls.filter(([m]) => String(m).includes('heartbeat'))).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(2_000);
    expect(t.beats).toHaveLength(4);
    await jest.advanceTimersByTimeAsync(1_500);
    expect(t.beats).toHaveLength(5);
  });

  it('stops a run whose turn the sweep ended while it could not beat', async () => {
    const t = setUp(() => Promise.resolve([]));
    registry = t.registry;
    await jest.advanceTimersByTimeAsync(600);
    expect(t.controller.signal.aborted).toBe(true);
    expect(t.controller.signal.reason).toBe('interrupted');
  });
});
