import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { BackstopInputError, getStrategy, registerStrategy, simulate } from '../src/index.js';
import { loadModule } from '../src/load.js';
import { expectConserved } from './helpers.js';

// A user's own strategy, in TypeScript, in a folder outside the repository, importing the package by name.
const dir = mkdtempSync(join(tmpdir(), 'backstop-user-'));
const file = join(dir, 'my-strategy.ts');
writeFileSync(
  file,
  `import { defineStrategy, z, type AgentGroup } from 'backstop-sim';
const params = z.strictObject({ leverage: z.number().positive().default(20).describe('leverage (x)') });
type P = z.output<typeof params>;
export default defineStrategy({
  name: 'user-levered-long',
  role: 'traders',
  description: 'a user strategy: one levered long each',
  params,
  init(g: AgentGroup<P>, sim) {
    for (let i = g.first; i < g.first + g.count; i++) sim.openAtLeverage(i, g.params.leverage, 1);
  },
  act() {},
});
`,
);
const config = {
  ticks: 300,
  market: { index: { model: 'gbm', sigma: 0 }, shocks: [{ atTick: 10, change: -0.2, durationSeconds: 600 }] },
  agents: { traders: { count: 20, mix: [{ strategy: 'user-levered-long', fraction: 1 }] } },
};

describe('loading user modules written in TypeScript', () => {
  it('loads a .ts file from outside the repository in the main thread, sharing the registries', async () => {
    const mod = await loadModule(file);
    const s = mod.default as Parameters<typeof registerStrategy>[0];
    expect(s.name).toBe('user-levered-long');
    registerStrategy(s);
    expect(getStrategy('user-levered-long')).toBe(s);
    // 20x longs and a 20% fall: every one is liquidated
    const r = simulate(config, { seed: 3 });
    expect(r.metrics.liquidations).toBe(20);
    expectConserved(r);
  });

  it('loads the same file in a worker thread', async () => {
    const out = await new Promise<{ name: string; liquidations: number }>((resolve, reject) => {
      const w = new Worker(new URL('./fixtures/load-worker.mjs', import.meta.url), {
        workerData: { file, config },
      });
      w.once('message', resolve);
      w.once('error', reject);
    });
    expect(out).toMatchObject({ name: 'user-levered-long', liquidations: 20 });
  });

  it('reports a missing file and a broken file as input errors naming the file', async () => {
    await expect(loadModule(join(dir, 'nope.ts'))).rejects.toThrow(/nope\.ts.*file not found/s);
    const bad = join(dir, 'bad.ts');
    writeFileSync(bad, 'export default {{{;');
    const err = await loadModule(bad).catch((e) => e);
    expect(err).toBeInstanceOf(BackstopInputError);
    expect(String(err.message)).toMatch(/bad\.ts: failed to load/);
  });
});
