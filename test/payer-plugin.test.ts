/**
 * A new payer stage is one file: written outside the repository, named in a config's `strategies`, it gets
 * its who-paid column in runs.arrow (with its field metadata), its lines in `analyze`, its segment in the
 * report's who-paid figure and its line in `list`, with no edit anywhere else (issue 19).
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, readArrow, tmp } from './cli-helpers.js';
import { pluginCrashBase } from './helpers.js';

const dir = tmp('bs-payer-plugin-');
const out = join(dir, 'out');

// pays from the venue's own fee income (its "skin in the game"), within what it holds and a cap per run
const TREASURY = `import { defineStage, LEDGER, z, type StageInstance, type VenueContext } from 'backstop-sim';

const Params = z.strictObject({
  capUsd: z.number().finite().min(0).default(1e12).describe('most the treasury pays over a run (USD)'),
});

class Treasury implements StageInstance {
  private left: number;
  constructor(private readonly sim: VenueContext, capUsd: number) {
    this.left = capUsd;
  }
  cover(id: number, amount: number): number {
    const pay = Math.min(amount, this.left, Math.max(0, this.sim.ledger[LEDGER.venueFees]));
    if (!(pay > 0)) return 0;
    this.sim.credit(LEDGER.venueFees, id, pay);
    this.left -= pay;
    return pay;
  }
}

export default defineStage({
  name: 'test-treasury',
  description: "pays shortfalls from the venue's fee income, up to a cap per run",
  role: 'pay',
  pays: { column: 'paid_by_treasury', label: 'treasury', description: "shortfall paid from the venue's fees (USD)" },
  params: Params,
  build: ({ sim, params }) => new Treasury(sim, params.capUsd),
});
`;

const experiment = {
  name: 'treasury',
  description: 'a crash venue whose fee income pays shortfalls before the insurance fund',
  base: {
    strategies: ['./treasury.ts'],
    ...pluginCrashBase(-0.35),
    venue: { insuranceFund: 0, insuranceFundShareOfCollateral: 0.005 },
    waterfall: { stages: [{ stage: 'market' }, { stage: 'test-treasury' }, { stage: 'insurance-fund' }] },
  },
  sweep: { grid: { 'waterfall.stages[1].capUsd': [0, 1e12] } },
  runs: 6,
  seed: 5,
};

let run: ReturnType<typeof cli>;
beforeAll(() => {
  writeFileSync(join(dir, 'treasury.ts'), TREASURY);
  writeFileSync(join(dir, 'treasury.json'), JSON.stringify(experiment, null, 2));
  run = cli(['run', join(dir, 'treasury.json'), '--out', out, '--quiet', '--workers', '2']);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a payer stage written as one file outside the repository', () => {
  it('books what it pays in its own runs.arrow column, with its field metadata; shortfall = every payer + unpaid', () => {
    expect(run.code, run.stderr).toBe(0);
    const t = readArrow(join(out, 'runs.arrow'));
    const f = t.schema.fields.find((x) => x.name === 'paid_by_treasury');
    expect(f, 'paid_by_treasury column').toBeDefined();
    expect(f!.metadata.get('payer')).toBe('treasury');
    expect(f!.metadata.get('unit')).toBe('USD');
    expect(f!.metadata.get('description')).toBe("shortfall paid from the venue's fees (USD)");
    // the built-in payers' columns say they are payers too
    expect(t.schema.fields.find((x) => x.name === 'paid_by_insurance_fund')!.metadata.get('payer')).toBe(
      'insurance fund',
    );
    const names = t.schema.fields.map((x) => x.name);
    // after the fixed metrics, before anything a game would add
    expect(names.indexOf('paid_by_treasury')).toBe(names.indexOf('conservation_error') + 1);
    const paidBy = [0, 0];
    let shortfall = 0;
    for (const r of t) {
      const row = r.toJSON() as Record<string, number>;
      expect(row.status).toBe('ok');
      const paid =
        row.paid_by_insurance_fund +
        row.paid_by_vault +
        row.paid_by_adl +
        row.socialized_loss +
        row.paid_by_treasury +
        row.unpaid;
      expect(Math.abs(row.shortfall - paid)).toBeLessThanOrEqual(1e-9 * Math.max(1, row.shortfall));
      // not a levy on users: the venue's loss is what nobody paid and what is still open
      expect(row.loss).toBeCloseTo(row.socialized_loss + row.unpaid + row.open_deficit, 6);
      paidBy[row.point_id] += row.paid_by_treasury;
      shortfall += row.shortfall;
    }
    expect(shortfall).toBeGreaterThan(0);
    // a cap of 0 pays nothing; an unbounded treasury pays
    expect(paidBy[0]).toBe(0);
    expect(paidBy[1]).toBeGreaterThan(0);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.columns.metrics).toContain('paid_by_treasury');
  });

  it('two shards merged give the same bytes, the swept plug-in parameter described as in the whole batch', () => {
    const file = join(dir, 'treasury.json');
    const shards = [0, 1].map((i) => join(dir, `shard-${i}`));
    for (const [i, s] of shards.entries())
      expect(cli(['run', file, '--out', s, '--quiet', '--shard', `${i}/2`]).code).toBe(0);
    const merged = join(dir, 'merged');
    const m = cli(['merge', ...shards, '--out', merged]);
    expect(m.code, m.stderr).toBe(0);
    const col = readArrow(join(merged, 'runs.arrow')).schema.fields.find(
      (f) => f.name === 'waterfall.stages[1].capUsd',
    );
    expect(col?.metadata.get('description')).toBe('most the treasury pays over a run (USD)');
    expect(readFileSync(join(merged, 'runs.arrow')).equals(readFileSync(join(out, 'runs.arrow')))).toBe(true);
  });

  it('is analysed like every metric', () => {
    const r = cli(['analyze', out, '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const a = JSON.parse(r.stdout);
    expect(a.payers.map((p: { column: string }) => p.column)).toContain('paid_by_treasury');
    expect(a.groups[1].metrics.paid_by_treasury.estimate).toBeGreaterThan(0);
    expect(a.groups[0].metrics.paid_by_treasury.estimate).toBe(0);
  });

  it("gets its segment in the report's who-paid figure", () => {
    const r = cli(['report', out]);
    expect(r.code, r.stderr).toBe(0);
    const svg = readFileSync(join(out, 'report', 'figures', 'who-paid.svg'), 'utf8');
    // the legend names it, between the built-in payers and what nobody paid
    const at = (s: string) => svg.indexOf(`>${s}</text>`);
    expect(at('treasury')).toBeGreaterThan(at('insurance fund'));
    expect(at('unpaid')).toBeGreaterThan(at('treasury'));
  });

  it('is listed with its column by `list --module`', () => {
    const r = cli(['list', '--module', join(dir, 'treasury.ts')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      "test-treasury [pay] → paid_by_treasury — pays shortfalls from the venue's fee income, up to a cap per run",
    );
    expect(r.stdout).toContain(
      'capUsd: number [0..] = 1000000000000 — most the treasury pays over a run (USD)',
    );
    // the built-in payers name their columns too
    expect(r.stdout).toMatch(/insurance-fund \[pay\] → paid_by_insurance_fund — /);
    const j = JSON.parse(cli(['list', '--module', join(dir, 'treasury.ts'), '--format', 'json']).stdout);
    const s = j.stages.find((x: { name: string }) => x.name === 'test-treasury');
    expect(s.pays).toEqual({
      column: 'paid_by_treasury',
      label: 'treasury',
      description: "shortfall paid from the venue's fees (USD)",
      loss: false,
    });
  });

  it('a declaration that would clash with a result column, or a payer without one, is refused naming it (exit 2)', () => {
    const bad = (name: string, pays: string) => {
      const file = join(dir, `${name}.ts`);
      writeFileSync(
        file,
        TREASURY.replace("name: 'test-treasury'", `name: '${name}'`).replace(/ {2}pays: \{.*\},\n/, pays),
      );
      return cli(['list', '--module', file]);
    };
    const clash = bad('clash', "  pays: { column: 'loss', label: 'x', description: 'x (USD)' },\n");
    expect(clash.code).toBe(2);
    expect(clash.stderr).toMatch(/pays\.column.*'loss'.*already a column of runs\.arrow/);
    const upper = bad('upper', "  pays: { column: 'Paid By', label: 'x', description: 'x (USD)' },\n");
    expect(upper.code).toBe(2);
    expect(upper.stderr).toMatch(/pays\.column must be a snake_case/);
    const none = bad('none', '');
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/it needs pays \(its who-paid column/);
    // one label per segment of the who-paid figure
    const label = bad(
      'label',
      "  pays: { column: 'paid_by_label', label: 'unpaid', description: 'x (USD)' },\n",
    );
    expect(label.code).toBe(2);
    expect(label.stderr).toMatch(/pays\.label: 'unpaid' is the who-paid figure's label of unpaid/);
    // a closer has no payments to book
    const closer = join(dir, 'closer.ts');
    writeFileSync(closer, TREASURY.replace("role: 'pay'", "role: 'close'"));
    const close = cli(['list', '--module', closer]);
    expect(close.code).toBe(2);
    expect(close.stderr).toMatch(
      /pays is only for a stage that pays shortfalls .*this one's role is 'close'/,
    );
    for (const r of [clash, upper, none, label, close]) expect(r.stdout).toBe('');
  });

  it('a payer column named like a swept field is refused before anything runs (exit 2)', () => {
    const file = join(dir, 'swept.json');
    const stage = TREASURY.replace("name: 'test-treasury'", "name: 'test-ticks'").replace(
      "column: 'paid_by_treasury', label: 'treasury'",
      "column: 'ticks', label: 'ticks paid'",
    );
    writeFileSync(join(dir, 'ticks.ts'), stage);
    const e = {
      ...experiment,
      name: 'swept',
      base: {
        ...experiment.base,
        strategies: ['./ticks.ts'],
        waterfall: { stages: [{ stage: 'market' }, { stage: 'test-ticks' }] },
      },
      sweep: { grid: { ticks: [100, 120] } },
    };
    writeFileSync(file, JSON.stringify(e));
    const out2 = join(dir, 'swept-out');
    const r = cli(['run', file, '--out', out2, '--quiet']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /sweep\.grid\.ticks: 'ticks' is also the who-paid column \(pays\.column\) of stage 'test-ticks'/,
    );
    expect(existsSync(out2)).toBe(false);
  });

  it('a payer that moves money but reports paying nothing fails the run, naming the stage', () => {
    const file = join(dir, 'silent.json');
    writeFileSync(
      join(dir, 'silent.ts'),
      TREASURY.replace("name: 'test-treasury'", "name: 'test-silent'")
        .replace("column: 'paid_by_treasury', label: 'treasury'", "column: 'paid_by_silent', label: 'silent'")
        .replace('    this.left -= pay;\n    return pay;', '    this.left -= pay;\n    return 0;'),
    );
    const e = {
      ...experiment,
      name: 'silent',
      base: {
        ...experiment.base,
        strategies: ['./silent.ts'],
        waterfall: { stages: [{ stage: 'market' }, { stage: 'test-silent' }, { stage: 'insurance-fund' }] },
      },
      sweep: undefined,
      runs: 1,
    };
    writeFileSync(file, JSON.stringify(e));
    const r = cli(['run', file, '--out', join(dir, 'silent-out'), '--quiet']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /stage 'test-silent' reported paying 0 of a shortfall of [\d.e+]+ on account \d+ but moved [\d.e+]+ into it/,
    );
  });
});
