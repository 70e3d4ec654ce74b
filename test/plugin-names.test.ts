/**
 * A plug-in module may not take a built-in's name (issue 19): a stage, strategy or price model called
 * 'market', 'noise' or 'gbm' in a user's file would otherwise replace the built-in silently for the whole
 * batch, and every experiment listing the built-in would run the user's code instead. It is refused (exit 2,
 * naming the file, the export and the name); a module loaded again may replace what it registered itself.
 */
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, tmp } from './cli-helpers.js';

const dir = tmp('bs-plugin-names-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const STAGE = (name: string) => `import { defineStage, z } from 'backstop-sim';
export default defineStage({
  name: '${name}',
  description: 'passes every account on',
  role: 'close',
  params: z.strictObject({}),
  build: () => ({ liquidate: () => false }),
});
`;

const STRATEGY = (name: string) => `import { defineStrategy, z } from 'backstop-sim';
export const mine = defineStrategy({
  name: '${name}',
  role: 'traders',
  description: 'does nothing',
  params: z.strictObject({}),
  act() {},
});
`;

function config(file: string, first: string, strategy = 'noise') {
  return {
    strategies: [`./${file}`],
    ticks: 20,
    agents: { traders: { count: 20, mix: [{ strategy, fraction: 1 }] } },
    waterfall: { stages: [{ stage: first }, { stage: 'market' }, { stage: 'insurance-fund' }] },
  };
}

function simulateWith(file: string, source: string, cfg: object) {
  writeFileSync(join(dir, file), source);
  const path = join(dir, `${file}.json`);
  writeFileSync(path, JSON.stringify({ name: 'names', description: 'x', base: cfg, runs: 2, seed: 1 }));
  const out = join(dir, `out-${file}`);
  const r = cli(['run', path, '--out', out, '--quiet', '--workers', '1']);
  return { ...r, wrote: existsSync(out) };
}

describe('a plug-in with the name of a built-in', () => {
  it('a stage called market is refused with exit 2, naming the file, the export and the name', () => {
    const r = simulateWith('market.ts', STAGE('market'), config('market.ts', 'english-auction'));
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('base.strategies[0]');
    expect(r.stderr).toContain(
      './market.ts: the stage "market" (the default export) has the name of a built-in stage, which a plug-in may not replace',
    );
    // no partial output
    expect(r.wrote).toBe(false);
  });

  it('a strategy called noise (a named export) is refused the same way', () => {
    const r = simulateWith('noise.ts', STRATEGY('noise'), config('noise.ts', 'english-auction'));
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('the strategy "noise" (export mine) has the name of a built-in strategy');
  });

  it('two listed stages declaring a service only one may provide are refused by validate (exit 2)', () => {
    const src = `import { defineStage, VAULT_SERVICE, z } from 'backstop-sim';
export default defineStage({
  name: 'my-vault',
  description: 'claims to be the vault',
  role: 'close',
  provides: [VAULT_SERVICE],
  params: z.strictObject({}),
  build: () => ({ liquidate: () => false }),
});
`;
    writeFileSync(join(dir, 'my-vault.ts'), src);
    const cfg = config('my-vault.ts', 'my-vault');
    cfg.waterfall.stages.push({ stage: 'vault' });
    const path = join(dir, 'my-vault.json');
    writeFileSync(path, JSON.stringify({ name: 'v', description: 'x', base: cfg, runs: 1, seed: 1 }));
    const r = cli(['validate', path]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(
      "'vault' and 'my-vault' (stages[0]) both provide service vault, which only one stage listed may provide",
    );
  });

  it('a name of its own runs', () => {
    const r = simulateWith('mine.ts', STAGE('my-passer'), config('mine.ts', 'my-passer'));
    expect(r.code, r.stderr).toBe(0);
  });
});
