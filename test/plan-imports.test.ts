/**
 * The plan of a batch covers what its plug-in modules import from their own folders (issue 19 review): a
 * helper file changed between an interrupted batch and its `--resume` is another plan, refused (exit 2,
 * naming the file), so runs of two versions of the code never mix in one runs.arrow.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { localImports } from '../src/runner/plan.js';
import { cli, tmp } from './cli-helpers.js';

const dir = tmp('bs-plan-imports-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HELPER = (lev: number) => `export const LEVERAGE = ${lev};\n`;
const STRATEGY = `import { defineStrategy, z } from 'backstop-sim';
import { LEVERAGE } from './lib/helper.js';
export default defineStrategy({
  name: 'test-levered',
  role: 'traders',
  description: 'opens at the helper file\\'s leverage and holds',
  params: z.strictObject({}),
  init(g, sim) {
    for (let i = g.first; i < g.first + g.count; i++) sim.openAtLeverage(i, LEVERAGE, i % 2 === 0 ? 1 : -1);
  },
  act() {},
});
`;
const experiment = {
  name: 'levered',
  description: 'traders at a leverage a helper file sets',
  base: {
    strategies: ['./levered.ts'],
    ticks: 30,
    agents: { traders: { count: 20, mix: [{ strategy: 'test-levered', fraction: 1 }] } },
  },
  runs: 3,
  seed: 2,
};

describe('a plug-in module’s own imports', () => {
  it('are found through the module (a .js specifier names the .ts file), recursively', () => {
    writeFileSync(join(dir, 'levered.ts'), STRATEGY);
    rmSync(join(dir, 'lib'), { recursive: true, force: true });
    const lib = join(dir, 'lib');
    mkdirSync(lib);
    writeFileSync(join(lib, 'helper.ts'), `export { LEVERAGE } from './deep.js';\n`);
    writeFileSync(join(lib, 'deep.ts'), HELPER(3));
    expect(localImports([join(dir, 'levered.ts')])).toEqual([join(lib, 'deep.ts'), join(lib, 'helper.ts')]);
  });

  it('a helper changed before --resume makes another plan: refused, naming the file', () => {
    const out = join(dir, 'out');
    writeFileSync(join(dir, 'levered.json'), JSON.stringify(experiment));
    const first = cli(['run', join(dir, 'levered.json'), '--out', out, '--quiet', '--workers', '1']);
    expect(first.code, first.stderr).toBe(0);
    writeFileSync(join(dir, 'lib', 'deep.ts'), HELPER(4));
    const again = cli(['run', join(dir, 'levered.json'), '--out', out, '--quiet', '--resume']);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('lib/deep.ts');
  });
});
