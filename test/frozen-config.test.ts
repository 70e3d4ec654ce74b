/**
 * The runner's configs are frozen (issue 19 review): the runs of a batch share their config object within a
 * worker thread, so a plug-in that changed it would change every later run of that thread and the results
 * would depend on the number of workers. A write now fails its run, naming the field, and the batch is the
 * same on any number of workers.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freezeConfig } from '../src/config/freeze.js';
import { parseConfig } from '../src/index.js';
import { cli, readArrow, tmp } from './cli-helpers.js';
import { crashConfig } from './helpers.js';

const dir = tmp('bs-frozen-config-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// from tick 5 of its run, sets the venue's taker fee to 0 (for its own run: and, unfrozen, the thread's next ones)
const WRITER = `import { defineStrategy, z } from 'backstop-sim';
export default defineStrategy({
  name: 'test-cfg-writer',
  role: 'traders',
  description: 'sets the taker fee to 0',
  params: z.strictObject({}),
  act(_g, sim) {
    if (sim.tick === 5) (sim.cfg.venue as { takerFee: number }).takerFee = 0;
  },
});
`;

describe('the config of a batch', () => {
  it('a plug-in that writes it fails its run, naming the field, on any number of workers alike', () => {
    writeFileSync(join(dir, 'writer.ts'), WRITER);
    const exp = {
      name: 'writer',
      description: 'a strategy that writes the config',
      base: {
        strategies: ['./writer.ts'],
        ticks: 20,
        agents: {
          traders: {
            count: 20,
            mix: [
              { strategy: 'noise', fraction: 0.5 },
              { strategy: 'test-cfg-writer', fraction: 0.5 },
            ],
          },
        },
      },
      runs: 4,
      seed: 3,
    };
    writeFileSync(join(dir, 'writer.json'), JSON.stringify(exp));
    const outs = [1, 2].map((w) => {
      const out = join(dir, `out-${w}`);
      const r = cli([
        'run',
        join(dir, 'writer.json'),
        '--out',
        out,
        '--quiet',
        '--workers',
        String(w),
        '--failures-ok',
      ]);
      expect(r.code, r.stderr).toBe(0);
      return out;
    });
    const t = readArrow(join(outs[0], 'runs.arrow'));
    for (const r of t) {
      const row = r.toJSON() as { status: string; error: string };
      expect(row.status).toBe('failed');
      expect(row.error).toMatch(/Cannot assign to read only property 'takerFee'/);
    }
    expect(readFileSync(join(outs[1], 'runs.arrow')).equals(readFileSync(join(outs[0], 'runs.arrow')))).toBe(
      true,
    );
  });

  it('freezeConfig freezes every nested object (typed arrays aside) and changes no value', () => {
    const cfg = parseConfig(crashConfig(50, 20));
    const before = JSON.stringify(cfg);
    freezeConfig(cfg);
    expect(JSON.stringify(cfg)).toBe(before);
    const walk = (o: unknown): void => {
      if (o === null || typeof o !== 'object' || ArrayBuffer.isView(o)) return;
      expect(Object.isFrozen(o)).toBe(true);
      for (const v of Object.values(o)) walk(v);
    };
    walk(cfg);
  });
});
