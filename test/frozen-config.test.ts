/**
 * A run's config is frozen (issue 19 review): the runs of a batch share their config object within a worker
 * thread, so a plug-in that changed it would change every later run of that thread and the results would
 * depend on the number of workers. A write now fails the run, naming the field, and the config a caller
 * passed keeps its values.
 */
import { describe, expect, it } from 'vitest';
import { defineStrategy, parseConfig, registerStrategy, Simulation, simulate, z } from '../src/index.js';
import { crashConfig } from './helpers.js';

describe('the config of a run', () => {
  registerStrategy(
    defineStrategy({
      name: 'test-cfg-writer',
      role: 'traders',
      description: 'sets the taker fee to 0 in its first act',
      params: z.strictObject({}),
      act(_g, sim) {
        (sim.cfg.venue as { takerFee: number }).takerFee = 0;
      },
    }),
  );

  it('cannot be changed by a plug-in: the write fails the run, naming the field', () => {
    const base = crashConfig(50, 20);
    const cfg = parseConfig({
      ...base,
      agents: { ...base.agents, traders: { count: 10, mix: [{ strategy: 'test-cfg-writer', fraction: 1 }] } },
    });
    expect(() => simulate(cfg, { seed: 1 })).toThrow(/Cannot assign to read only property 'takerFee'/);
    expect(cfg.venue.takerFee).toBeGreaterThan(0);
  });

  it('every nested object of the config a run is built on is frozen, its values unchanged', () => {
    const cfg = parseConfig(crashConfig(50, 20));
    const before = JSON.stringify(cfg);
    new Simulation(cfg, { seed: 2 }).run();
    expect(JSON.stringify(cfg)).toBe(before);
    const walk = (o: unknown): void => {
      if (o === null || typeof o !== 'object' || ArrayBuffer.isView(o)) return;
      expect(Object.isFrozen(o)).toBe(true);
      for (const v of Object.values(o)) walk(v);
    };
    walk(cfg);
  });
});
