/**
 * What the venue's loss sums is derived from the payers' declarations (issue 19): a plug-in payer declared
 * to count in the loss (`pays: { ..., loss: true }`, a levy on the venue's users) is added to `loss` in
 * runs.arrow, marked in its field metadata (`in_loss`), and named in the definition `analyze` prints and
 * returns (`lossTerms`); a payer that does not count (the venue's own treasury) is not.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, readArrow, tmp } from './cli-helpers.js';
import { pluginCrashBase } from './helpers.js';

const dir = tmp('bs-loss-terms-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// pays shortfalls out of the venue's fee income, but declared a levy on users: it counts in the loss
const LEVY = (
  loss: boolean,
) => `import { defineStage, LEDGER, z, type StageInstance, type VenueContext } from 'backstop-sim';
class Levy implements StageInstance {
  constructor(private readonly sim: VenueContext) {}
  cover(id: number, amount: number): number {
    const pay = Math.min(amount, Math.max(0, this.sim.ledger[LEDGER.venueFees]));
    if (!(pay > 0)) return 0;
    this.sim.credit(LEDGER.venueFees, id, pay);
    return pay;
  }
}
export default defineStage({
  name: 'test-levy-${loss}',
  description: 'pays shortfalls, levied on users',
  role: 'pay',
  pays: { column: 'paid_by_levy_${loss}', label: 'levy', description: 'shortfall levied on users (USD)', loss: ${loss} },
  params: z.strictObject({}),
  build: ({ sim }) => new Levy(sim),
});
`;

const experiment = (loss: boolean) => ({
  name: `levy-${loss}`,
  description: 'a crash venue with a levy before the insurance fund',
  base: {
    strategies: [`./levy-${loss}.ts`],
    ...pluginCrashBase(-0.35),
    venue: { insuranceFund: 0, insuranceFundShareOfCollateral: 0 },
    waterfall: { stages: [{ stage: 'market' }, { stage: `test-levy-${loss}` }, { stage: 'socialized' }] },
  },
  runs: 4,
  seed: 5,
});

const out = (loss: boolean) => join(dir, `out-${loss}`);
beforeAll(() => {
  for (const loss of [true, false]) {
    writeFileSync(join(dir, `levy-${loss}.ts`), LEVY(loss));
    writeFileSync(join(dir, `levy-${loss}.json`), JSON.stringify(experiment(loss)));
    const r = cli([
      'run',
      join(dir, `levy-${loss}.json`),
      '--out',
      out(loss),
      '--quiet',
      '--workers',
      '1',
      '--events',
    ]);
    expect(r.code, r.stderr).toBe(0);
  }
});

describe('the loss a payer counts in', () => {
  it("a plug-in payer's payments are logged as paid events that add up to its column, run by run", () => {
    const runs = readArrow(join(out(true), 'runs.arrow'));
    const ev = readArrow(join(out(true), 'events.arrow'));
    const byRun = new Map<number, number>();
    for (const r of ev) {
      const e = r.toJSON() as { run_id: number; kind: string; amount: number };
      if (e.kind === 'paid') byRun.set(e.run_id, (byRun.get(e.run_id) ?? 0) + e.amount);
    }
    let n = 0;
    for (const r of runs) {
      const row = r.toJSON() as Record<string, number>;
      expect(byRun.get(row.run_id) ?? 0).toBeCloseTo(row.paid_by_levy_true, 6);
      if (row.paid_by_levy_true > 0) n++;
    }
    expect(n).toBeGreaterThan(0);
  });

  it('a payer declared loss: true is in loss, and marked in_loss in the field metadata', () => {
    const t = readArrow(join(out(true), 'runs.arrow'));
    const meta = (n: string) => t.schema.fields.find((f) => f.name === n)!.metadata;
    expect(meta('paid_by_levy_true').get('in_loss')).toBe('1');
    expect(meta('socialized_loss').get('in_loss')).toBe('1');
    expect(meta('paid_by_insurance_fund').get('in_loss')).toBeUndefined();
    let levied = 0;
    for (const r of t) {
      const row = r.toJSON() as Record<string, number>;
      levied += row.paid_by_levy_true;
      expect(row.loss).toBeCloseTo(
        row.socialized_loss + row.paid_by_levy_true + row.unpaid + row.open_deficit,
        6,
      );
    }
    // the crash leaves shortfalls the levy pays: the test would not see a missing term otherwise
    expect(levied).toBeGreaterThan(0);
  });

  it('analyze names the terms of the loss, from the file', () => {
    const r = cli(['analyze', out(true)]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('loss = socialized_loss + paid_by_levy_true + unpaid + open_deficit (USD)');
    const j = JSON.parse(cli(['analyze', out(true), '--format', 'json']).stdout);
    expect(j.lossTerms).toEqual(['socialized_loss', 'paid_by_levy_true', 'unpaid', 'open_deficit']);
    const rep = cli(['report', out(true)]);
    expect(rep.code, rep.stderr).toBe(0);
    expect(readFileSync(join(out(true), 'report', 'index.html'), 'utf8')).toContain(
      'Loss = socialized loss + paid by levy true + unpaid + open deficit at the end (USD)',
    );
  });

  it('a payer that does not count in the loss is not a term of it', () => {
    const t = readArrow(join(out(false), 'runs.arrow'));
    expect(
      t.schema.fields.find((f) => f.name === 'paid_by_levy_false')!.metadata.get('in_loss'),
    ).toBeUndefined();
    const j = JSON.parse(cli(['analyze', out(false), '--format', 'json']).stdout);
    expect(j.lossTerms).toEqual(['socialized_loss', 'unpaid', 'open_deficit']);
    for (const r of t) {
      const row = r.toJSON() as Record<string, number>;
      expect(row.loss).toBeCloseTo(row.socialized_loss + row.unpaid + row.open_deficit, 6);
    }
  });
});
