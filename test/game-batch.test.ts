/**
 * `backstop-sim game` on the batch runner (`runGameBatch`): game.arrow and equilibria.json are the bytes the
 * in-process driver gives (`runGame(..., { driver: inProcessDriver })`), on 1 or 2 workers, sharded and
 * merged, interrupted and resumed; runs.arrow says what every run played; fail-fast stops at a failing
 * profile. The pool runs the built workers (dist/), as the CLI tests do.
 */
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  analyze,
  deriveRunSeed,
  type EquilibriaFile,
  gameExperimentOf,
  inProcessDriver,
  mergeGameShards,
  payoffColumn,
  type ResolvedExperiment,
  readArrowFile,
  resolveExperiment,
  runGame,
  runGameBatch,
} from '../src/index.js';
import { FIX, tmp } from './cli-helpers.js';

const GAME = join(FIX, 'game.json');
const FAILING = join(FIX, 'failing-game.experiment.ts');
const dirs: string[] = [];
const dir = () => {
  const d = tmp('bs-game-batch-');
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const bytes = (d: string, f: string) => readFileSync(join(d, f));
const quiet = { log: () => {} };

/** game.arrow and equilibria.json of `runGame` with the in-process driver, as the old `game` command wrote them. */
async function inProcess(file: string, out: string): Promise<EquilibriaFile> {
  const e = await resolveExperiment({ file, overrides: {} });
  return runGame(gameExperimentOf(e), {
    driver: inProcessDriver,
    out,
    level: e.game!.level,
    baseDir: e.baseDir,
  });
}

describe('game on the batch runner: the bytes of the in-process driver', () => {
  const ref = dir();
  const one = dir();
  let batch: ResolvedExperiment;
  beforeAll(async () => {
    await inProcess(GAME, ref);
    batch = await resolveExperiment({ file: GAME, overrides: { game: true } });
    const r = await runGameBatch({ file: GAME, overrides: {} }, { out: one, workers: 1, ...quiet });
    expect(r.failed).toBe(0);
    expect(r.equilibria).not.toBeNull();
  });

  it('expands 2 sweep points × 4 profiles into 8 batch points, the roles as swept fields', () => {
    expect(batch.gameBatch?.profiles).toBe(4);
    expect(batch.fields).toEqual(['venue.liquidationFee', 'game.traders', 'game.arbitrageurs']);
    expect(batch.points).toHaveLength(8);
    expect(batch.points[5]).toEqual({
      'venue.liquidationFee': 0.02,
      'game.traders': 'hold-10x',
      'game.arbitrageurs': 'funding-carry',
    });
    const mix = (k: number) =>
      (batch.configs[k].agents as { traders: { mix: { strategy: string; params: object }[] } }).traders.mix;
    expect(mix(2)).toHaveLength(1);
    expect(mix(2)[0].strategy).toBe('hold');
    expect(mix(2)[0].params).toMatchObject({ side: 'long', leverage: 2 });
    expect(mix(1)[0].params).toMatchObject({ side: 'long', leverage: 10 });
  });

  it('1 worker: game.arrow and equilibria.json byte-identical to the in-process driver', () => {
    for (const f of ['game.arrow', 'equilibria.json'])
      expect(bytes(one, f).equals(bytes(ref, f)), f).toBe(true);
    expect(existsSync(join(one, '.parts'))).toBe(false);
  });

  it('runs.arrow: every run of every profile, its strategies, its payoffs, seeds shared by the profiles of a point', () => {
    const t = readArrowFile(join(one, 'runs.arrow'));
    expect(t.rows).toBe(8 * 6);
    for (const c of ['game.traders', 'game.arbitrageurs', 'payoff_traders', 'payoff_arbitrageurs'])
      expect(t.names).toContain(c);
    expect(payoffColumn('marketMakers')).toBe('payoff_market_makers');
    const C = t.columns;
    const eq = JSON.parse(bytes(one, 'equilibria.json').toString()) as EquilibriaFile;
    for (let i = 0; i < t.rows; i++) {
      const k = (C.point_id as Float64Array)[i];
      const run = (C.run as Float64Array)[i];
      const m = Math.floor(k / 4);
      // common random numbers: the seed of the mechanism point, whatever the profile
      expect((C.seed as Float64Array)[i]).toBe(deriveRunSeed(11, m, run, true));
      const profile = eq.points[m].profiles[k % 4];
      expect((C['game.traders'] as string[])[i]).toBe(profile.profile.traders);
      expect((C['venue.liquidationFee'] as Float64Array)[i]).toBe(eq.points[m].point['venue.liquidationFee']);
    }
    // a profile's payoff is the mean of its runs' payoff column
    const rows = [...Array(t.rows).keys()].filter((i) => (C.point_id as Float64Array)[i] === 6);
    const mean = rows.reduce((s, i) => s + (C.payoff_traders as Float64Array)[i], 0) / rows.length;
    expect(mean).toBeCloseTo(eq.points[1].profiles[2].payoffs.traders.estimate, 6);
  });

  it('2 workers: the same bytes (runs.arrow included)', async () => {
    const two = dir();
    await runGameBatch({ file: GAME, overrides: {} }, { out: two, workers: 2, ...quiet });
    for (const f of ['game.arrow', 'equilibria.json'])
      expect(bytes(two, f).equals(bytes(ref, f)), f).toBe(true);
    expect(bytes(two, 'runs.arrow').equals(bytes(one, 'runs.arrow'))).toBe(true);
  });

  it('shards 0/2 and 1/2, merged: the same bytes; a shard alone writes no equilibria', async () => {
    const s0 = dir();
    const s1 = dir();
    const merged = dir();
    for (const [index, out] of [
      [0, s0],
      [1, s1],
    ] as const) {
      const r = await runGameBatch(
        { file: GAME, overrides: {} },
        { out, workers: 2, shard: { index, count: 2 }, ...quiet },
      );
      expect(r.equilibria).toBeNull();
      expect(r.totalRuns).toBeLessThan(48);
      expect(existsSync(join(out, 'equilibria.json'))).toBe(false);
      expect(existsSync(join(out, 'game.arrow'))).toBe(false);
    }
    const m = mergeGameShards([s0, s1], merged);
    expect(m.ok).toBe(48);
    expect(m.equilibria).not.toBeNull();
    for (const f of ['game.arrow', 'equilibria.json'])
      expect(bytes(merged, f).equals(bytes(ref, f)), f).toBe(true);
    expect(bytes(merged, 'runs.arrow').equals(bytes(one, 'runs.arrow'))).toBe(true);
  });

  it('interrupted (signal) after a few runs, then resumed: the same bytes', async () => {
    const out = dir();
    const stop = new AbortController();
    const parts = join(out, '.parts');
    const count = () =>
      existsSync(parts) ? readdirSync(parts).filter((f) => f.endsWith('.part')).length : 0;
    const poll = setInterval(() => {
      if (count() >= 3) stop.abort('SIGINT');
    }, 2);
    const r = await runGameBatch(
      { file: GAME, overrides: {} },
      { out, workers: 1, signal: stop.signal, ...quiet },
    ).finally(() => clearInterval(poll));
    expect(r.interrupted).toBe(true);
    expect(r.equilibria).toBeNull();
    const kept = count();
    expect(kept).toBeGreaterThanOrEqual(3);
    expect(kept).toBeLessThan(48);
    for (const f of ['runs.arrow', 'game.arrow', 'equilibria.json'])
      expect(existsSync(join(out, f)), f).toBe(false);
    const lines: string[] = [];
    const again = await runGameBatch(
      { file: GAME, overrides: {} },
      { out, workers: 2, resume: true, log: (l) => lines.push(l) },
    );
    expect(again.ranRuns).toBe(48 - kept);
    expect(lines.join('\n')).toMatch(new RegExp(`resuming: ${kept} of 48 runs already done`));
    for (const f of ['game.arrow', 'equilibria.json'])
      expect(bytes(out, f).equals(bytes(ref, f)), f).toBe(true);
    expect(bytes(out, 'runs.arrow').equals(bytes(one, 'runs.arrow'))).toBe(true);
  });

  it('analyze of the game directory: per profile and point, the per-agent participation is the game payoff', () => {
    const a = analyze(one);
    expect(a.groups).toHaveLength(8);
    const eq = JSON.parse(bytes(one, 'equilibria.json').toString()) as EquilibriaFile;
    a.groups.forEach((g, k) => {
      const p = eq.points[Math.floor(k / 4)].profiles[k % 4];
      expect(g.key['game.traders']).toBe(p.profile.traders);
      for (const role of ['traders', 'arbitrageurs'] as const) {
        const r = g.roles.find((x) => x.role === role)!;
        // the outside option comes from the manifest's config: the profile's mix, not the game column
        expect(r.perAgent!.estimate).toBeCloseTo(p.payoffs[role].estimate, 6);
      }
    });
  });
});

describe('game on the batch runner without common random numbers across sweep points', () => {
  it("the profiles of a sweep point still share its seeds, and the bytes are the in-process driver's", async () => {
    const d = dir();
    const file = join(d, 'game-no-crn.json');
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(GAME, 'utf8')), crn: false }));
    const ref = join(d, 'ref');
    const out = join(d, 'out');
    await inProcess(file, ref);
    await runGameBatch({ file, overrides: {} }, { out, workers: 2, ...quiet });
    for (const f of ['game.arrow', 'equilibria.json'])
      expect(bytes(out, f).equals(bytes(ref, f)), f).toBe(true);
    const C = readArrowFile(join(out, 'runs.arrow')).columns;
    const seed = (k: number, run: number) => (C.seed as Float64Array)[k * 6 + run];
    for (let k = 0; k < 8; k++)
      for (let run = 0; run < 6; run++)
        expect(seed(k, run)).toBe(deriveRunSeed(11, Math.floor(k / 4), run, false));
    expect(seed(4, 0)).not.toBe(seed(0, 0));
  });
});

describe('game on the batch runner: failures', () => {
  it('a failing profile is recorded as the in-process driver records it', async () => {
    const ref = dir();
    const out = dir();
    await inProcess(FAILING, ref);
    const r = await runGameBatch({ file: FAILING, overrides: {} }, { out, workers: 2, ...quiet });
    expect(r.failed).toBe(8);
    expect(r.ok).toBe(8);
    for (const f of ['game.arrow', 'equilibria.json'])
      expect(bytes(out, f).equals(bytes(ref, f)), f).toBe(true);
    const eq = r.equilibria!;
    expect(eq.points[0].profiles[1].failed).toBe(4);
    expect(eq.points[0].profiles[1].errors[0]).toMatch(/^test-throw: refusing seed \d+$/);
  });

  it('fail-fast stops at the failing profile: no runs.arrow, no equilibria, the parts kept', async () => {
    const out = dir();
    const lines: string[] = [];
    const r = await runGameBatch(
      { file: FAILING, overrides: {} },
      { out, workers: 1, failFast: true, log: (l) => lines.push(l) },
    );
    expect(r.stopped).toBe(true);
    expect(r.equilibria).toBeNull();
    expect(lines.join('\n')).toMatch(
      /stopped at the first failure \(--fail-fast\): run \d+ failed: test-throw: refusing seed/,
    );
    for (const f of ['runs.arrow', 'game.arrow', 'equilibria.json'])
      expect(existsSync(join(out, f)), f).toBe(false);
    // on one worker the runs go in order: the first profile's 4 runs pass, the failing profile's first stops it
    const parts = readdirSync(join(out, '.parts')).filter((f) => f.endsWith('.part'));
    expect(parts.length).toBeGreaterThanOrEqual(5);
    expect(parts.length).toBeLessThan(16);
  });

  it("every run failed: runs.arrow records them, no equilibria, and an earlier game's files there are removed", async () => {
    const d = dir();
    const file = join(d, 'all-fail.json');
    writeFileSync(
      file,
      JSON.stringify({
        name: 'all-fail',
        base: {
          ticks: 30,
          agents: { traders: { count: 5 } },
          strategies: [join(FIX, 'throwing-strategy.ts')],
        },
        runs: 2,
        seed: 1,
        game: { roles: { traders: [{ strategy: 'test-throw', params: { everySeed: 1 } }] } },
      }),
    );
    const out = join(d, 'out');
    await runGameBatch({ file: GAME, overrides: {} }, { out, workers: 1, ...quiet });
    expect(existsSync(join(out, 'equilibria.json'))).toBe(true);
    // another plan's results are there: refused without force
    await expect(runGameBatch({ file, overrides: {} }, { out, workers: 1, ...quiet })).rejects.toThrow(
      /holds the results of another plan/,
    );
    const r = await runGameBatch({ file, overrides: {} }, { out, workers: 1, force: true, ...quiet });
    expect(r.ok).toBe(0);
    expect(r.failed).toBe(2);
    expect(r.equilibria).toBeNull();
    expect(readArrowFile(join(out, 'runs.arrow')).rows).toBe(2);
    for (const f of ['game.arrow', 'equilibria.json']) expect(existsSync(join(out, f)), f).toBe(false);
  });

  it('an experiment without a game is bad input, before anything is created', async () => {
    const out = join(dir(), 'out');
    await expect(
      runGameBatch({ file: join(FIX, 'sweep.json'), overrides: {} }, { out, ...quiet }),
    ).rejects.toThrow(/declares no game/);
    expect(existsSync(out)).toBe(false);
  });
});
