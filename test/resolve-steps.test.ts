/**
 * Experiment resolution as small pure steps that return data and issues (issue 19): the sweep step, the
 * preset and override step, the point step; `resolveExperiment` is their composition.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { experimentSchema } from '../src/experiment/define.js';
import { overridesStep, pointConfigs, resolveExperiment, sweepStep } from '../src/experiment/resolve.js';
import { tmp } from './cli-helpers.js';

const dir = tmp('bs-resolve-steps-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const def = {
  name: 'steps',
  base: { ticks: 60, agents: { traders: { count: 20, mix: [{ strategy: 'noise', fraction: 1 }] } } },
  sweep: { grid: { 'venue.liquidationFee': [0.01, 0.02], 'market.index.sigma': [0.5] } },
  presets: { short: { ticks: 30, set: { 'venue.takerFee': 0.001 } } },
  runs: 3,
  seed: 7,
};

describe('the steps of resolution', () => {
  it('the sweep step returns the points and what is wrong, without throwing', () => {
    const ok = sweepStep(def.sweep, 1);
    expect(ok.kind).toBe('grid');
    expect(ok.points).toEqual([
      { 'venue.liquidationFee': 0.01, 'market.index.sigma': 0.5 },
      { 'venue.liquidationFee': 0.02, 'market.index.sigma': 0.5 },
    ]);
    expect(ok.issues).toEqual([]);
    expect(sweepStep(undefined, 1)).toEqual({ kind: 'none', points: [{}], issues: [] });
    const bad = sweepStep({ zip: { 'venue.liquidationFee': [0.01], 'venue.nope': [1, 2] } }, 1);
    expect(bad.points).toEqual([{}]);
    expect(bad.issues.map((i) => i.path)).toEqual(['sweep.zip.venue.nope', 'sweep.zip']);
    // the same arguments, the same result: a Latin hypercube draws from the seed it is given
    const lhs = { lhs: { points: 4, ranges: { 'venue.liquidationFee': [0.01, 0.02] as [number, number] } } };
    const parsed = experimentSchema.parse({ ...def, sweep: lhs }).sweep;
    expect(sweepStep(parsed, 3)).toEqual(sweepStep(parsed, 3));
    expect(sweepStep(parsed, 3).points).not.toEqual(sweepStep(parsed, 4).points);
  });

  it('the override step merges the preset and checks every set path, returning the issues', () => {
    const exp = experimentSchema.parse(def);
    const r = overridesStep(exp, { preset: 'short', set: ['venue.nope=1', 'runs'] });
    expect(r.baseInput.ticks).toBe(30);
    expect(r.sets.map(([where]) => where)).toEqual(['presets.short.set.venue.takerFee']);
    expect(r.issues.map((i) => i.path)).toEqual(['--set venue.nope', '--set runs']);
    // the experiment it was given is not changed
    expect(exp.base.ticks).toBe(60);
    expect(() => overridesStep(exp, { preset: 'long' })).toThrow(/no preset "long" in steps; known: short/);
  });

  it('resolveExperiment is their composition: the point step gives its configs', async () => {
    const file = join(dir, 'steps.json');
    writeFileSync(file, JSON.stringify(def));
    const e = await resolveExperiment({ file, overrides: {} });
    expect(pointConfigs(e.base, e.fields, e.points, e.sweepKind, e.baseDir)).toEqual(e.configs);
    expect(e.configs.map((c) => c.venue.liquidationFee)).toEqual([0.01, 0.02]);
  });
});
