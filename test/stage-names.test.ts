/**
 * A sweep (or an override) may address a waterfall stage by name, `waterfall.stages[insurance-fund].x`,
 * so that reordering the stages never retargets it (issue 19). The name must be listed exactly once.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../src/errors.js';
import { parsePath, setPath } from '../src/experiment/paths.js';
import { resolveExperiment } from '../src/experiment/resolve.js';
import { cli, readArrow, tmp } from './cli-helpers.js';

const dir = tmp('bs-stage-names-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const STAGES = [{ stage: 'market' }, { stage: 'insurance-fund' }, { stage: 'socialized' }];
const FIELD = 'waterfall.stages[insurance-fund].reserveUsd';

/** Writes an experiment file and resolves it. */
async function resolve(name: string, exp: Record<string, unknown>, set?: string[]) {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify({ name, runs: 2, seed: 1, ...exp }));
  return resolveExperiment({ file, overrides: set ? { set } : {} });
}

const reserves = (configs: { waterfall: { stages: unknown[] } }[]) =>
  configs.map((c) =>
    c.waterfall.stages.map((s) => {
      const e = s as { stage: string; reserveUsd?: number };
      return e.stage === 'insurance-fund' ? e.reserveUsd : e.stage;
    }),
  );

describe('a stage addressed by name', () => {
  it('parses to a name segment', () => {
    expect(parsePath(FIELD)).toEqual(['waterfall', 'stages', { stage: 'insurance-fund' }, 'reserveUsd']);
    expect(parsePath('waterfall.stages[Vault].x')).toBeUndefined(); // names are lower-case, like the registry's
  });

  it('sets the stage of that name wherever it is listed, as its position would', async () => {
    const sweep = { grid: { [FIELD]: [0, 1e6] } };
    const a = await resolve('a', { base: { waterfall: { stages: STAGES } }, sweep });
    expect(reserves(a.configs)).toEqual([
      ['market', 0, 'socialized'],
      ['market', 1e6, 'socialized'],
    ]);
    // the same sweep by position gives the same configs
    const byIndex = await resolve('b', {
      base: { waterfall: { stages: STAGES } },
      sweep: { grid: { 'waterfall.stages[1].reserveUsd': [0, 1e6] } },
    });
    expect(byIndex.configs).toEqual(a.configs);
    // reordered, the name still finds the fund
    const moved = await resolve('c', {
      base: { waterfall: { stages: [STAGES[0], STAGES[2], STAGES[1]] } },
      sweep,
    });
    expect(reserves(moved.configs)).toEqual([
      ['market', 'socialized', 0],
      ['market', 'socialized', 1e6],
    ]);
    // an override too
    const set = await resolve('d', { base: { waterfall: { stages: STAGES } } }, [`${FIELD}=250`]);
    expect(reserves(set.configs)).toEqual([['market', 250, 'socialized']]);
  });

  it('a name not listed, listed twice, or on another list is refused naming the field', async () => {
    const sweep = { grid: { 'waterfall.stages[vault].lockupSeconds': [0, 60] } };
    await expect(resolve('e', { base: { waterfall: { stages: STAGES } }, sweep })).rejects.toThrow(
      /no stage 'vault' in waterfall\.stages \(listed: market, insurance-fund, socialized\)/,
    );
    // a config lists a stage once; a plain input listing it twice says only a position can tell
    const twice = { waterfall: { stages: [...STAGES, { stage: 'insurance-fund' }] } };
    expect(setPath(twice, parsePath(FIELD)!, 1)).toBe(
      "stage 'insurance-fund' is listed 2 times in waterfall.stages (at [1], [3]): address it by position",
    );
    const other = resolve('g', {
      base: {},
      sweep: { grid: { 'agents.traders.mix[noise].fraction': [0.5, 1] } },
    });
    await expect(other).rejects.toBeInstanceOf(ConfigError);
    // a name a path cannot write (a registry name may hold any character): address it by position
    await expect(
      resolve('odd', { base: {}, sweep: { grid: { 'waterfall.stages[my_stage].x': [1, 2] } } }),
    ).rejects.toThrow(
      'sweep.grid.waterfall.stages[my_stage].x: malformed path: [my_stage] is neither a position ([0]) nor a stage name as a path writes it',
    );
    await expect(other).rejects.toThrow(
      /sweep\.grid\.agents\.traders\.mix\[noise\]\.fraction: agents\.traders\.mix is a list: use \[index\] \(only waterfall\.stages takes a stage's \[name\]\)/,
    );
  });

  it('one field reached twice (by name and by position, a preset or --set of a swept field, an override a later one wipes) is refused', async () => {
    const base = { waterfall: { stages: STAGES } };
    const both = resolve('twice', {
      base,
      sweep: { grid: { [FIELD]: [0, 1e6], 'waterfall.stages[1].reserveUsd': [5, 6] } },
    });
    await expect(both).rejects.toBeInstanceOf(ConfigError);
    await expect(both).rejects.toThrow(
      `sweep.grid.waterfall.stages[1].reserveUsd: is the same field as the swept ${FIELD} (both are waterfall.stages[1].reserveUsd)`,
    );
    const inside = resolve('inside', {
      base,
      sweep: { grid: { 'waterfall.stages[1]': [1, 2], [FIELD]: [0, 1] } },
    });
    await expect(inside).rejects.toThrow(`sweep.grid.${FIELD}: overlaps the swept waterfall.stages[1]`);
    // --set of the swept field by position, and the other way round
    const sweep = { grid: { [FIELD]: [0, 1e6] } };
    await expect(resolve('set1', { base, sweep }, ['waterfall.stages[1].reserveUsd=5'])).rejects.toThrow(
      `--set waterfall.stages[1].reserveUsd: this field is swept (sweep.grid.${FIELD}, waterfall.stages[1].reserveUsd)`,
    );
    const byPos = { grid: { 'waterfall.stages[1].reserveUsd': [0, 1e6] } };
    await expect(resolve('set2', { base, sweep: byPos }, [`${FIELD}=5`])).rejects.toThrow(
      `--set ${FIELD}: this field is swept (sweep.grid.waterfall.stages[1].reserveUsd)`,
    );
    // a preset's set of a swept field
    const presets = { p: { set: { [FIELD]: 7 } } };
    const file = join(dir, 'preset.json');
    writeFileSync(file, JSON.stringify({ name: 'preset', runs: 2, seed: 1, base, presets, sweep }));
    await expect(resolveExperiment({ file, overrides: { preset: 'p' } })).rejects.toThrow(
      `presets.p.set.${FIELD}: this field is swept (sweep.grid.${FIELD}, waterfall.stages[1].reserveUsd)`,
    );
    // a later override that replaces what an earlier one of the same source set inside it
    const wipe = resolve('wipe', { base }, [`${FIELD}=5`, `waterfall.stages=${JSON.stringify(STAGES)}`]);
    await expect(wipe).rejects.toThrow(
      `--set waterfall.stages: replaces what --set ${FIELD} set (waterfall.stages[1].reserveUsd is inside waterfall.stages)`,
    );
    // the other order is well defined (the list, then a field of it), and so is a wider override with a sweep inside it
    const ok = await resolve('ok', { base, sweep }, [
      `waterfall.stages=${JSON.stringify([STAGES[0], STAGES[2], STAGES[1]])}`,
    ]);
    expect(reserves(ok.configs)).toEqual([
      ['market', 'socialized', 0],
      ['market', 'socialized', 1e6],
    ]);
    const later = await resolve('later', { base }, [
      `waterfall.stages=${JSON.stringify(STAGES)}`,
      `${FIELD}=5`,
    ]);
    expect(reserves(later.configs)).toEqual([['market', 5, 'socialized']]);
  });

  it("sweeping which stage an entry is does not carry the old stage's defaults to the new one", async () => {
    const stages = [{ stage: 'dutch-auction' }, { stage: 'market' }, { stage: 'insurance-fund' }];
    const kinds = { grid: { 'waterfall.stages[0].stage': ['dutch-auction', 'english-auction'] } };
    const r = await resolve('kind', { base: { waterfall: { stages } }, sweep: kinds });
    const [dutch, english] = r.configs.map((c) => c.waterfall.stages[0] as Record<string, unknown>);
    expect(dutch.stage).toBe('dutch-auction');
    expect(dutch.curve).toBeDefined();
    // the English auction's own parameters, with its own defaults, and none of the Dutch auction's
    expect(english.stage).toBe('english-auction');
    expect(english.curve).toBeUndefined();
    expect(english.tau).toBeDefined();
    // by name, with a parameter of the new stage swept beside it
    const named = await resolve('kind-named', {
      base: { waterfall: { stages } },
      sweep: {
        zip: {
          'waterfall.stages[dutch-auction].stage': ['english-auction'],
          'waterfall.stages[0].ttl': [900],
        },
      },
    });
    expect(named.configs[0].waterfall.stages[0]).toMatchObject({ stage: 'english-auction', ttl: 900 });
    // a parameter written for the old stage that the new one lacks is still refused, naming the point
    const written = resolve('kind-written', {
      base: { waterfall: { stages: [{ stage: 'dutch-auction', buf: 1.5 }, ...stages.slice(1)] } },
      sweep: kinds,
    });
    await expect(written).rejects.toThrow(
      /base\.waterfall\.stages\[0\]\.buf: unknown key.*\[sweep point 1: waterfall\.stages\[0\]\.stage="english-auction"\]/,
    );
  });

  it('end to end: the column keeps the name and the stage parameter’s description; analyze reads it', () => {
    const file = join(dir, 'e2e.json');
    writeFileSync(
      file,
      JSON.stringify({
        name: 'e2e',
        base: {
          ticks: 60,
          agents: { traders: { count: 50, mix: [{ strategy: 'noise', fraction: 1 }] } },
          waterfall: { stages: STAGES },
        },
        sweep: { grid: { [FIELD]: [0, 1e6] } },
        runs: 2,
        seed: 3,
      }),
    );
    const out = join(dir, 'e2e');
    const r = cli(['run', file, '--out', out, '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const t = readArrow(join(out, 'runs.arrow'));
    const f = t.schema.fields.find((x) => x.name === FIELD);
    expect(f?.metadata.get('description')).toBe('the fund never pays below this balance (USD)');
    expect([...(t.getChild(FIELD)!.toArray() as Float64Array)]).toEqual([0, 0, 1e6, 1e6]);
    const a = cli(['analyze', out, '--format', 'json']);
    expect(a.code, a.stderr).toBe(0);
    expect(JSON.parse(a.stdout).fields).toEqual([FIELD]);
  });
});
