/**
 * Minimal command line (the full runner replaces it): `backstop-sim run <experiment>` runs the
 * experiment's runs in this process and prints the mean of every metric.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { BackstopInputError } from './errors.js';
import { deriveRunSeed, METRIC_NAMES, simulate } from './index.js';
import { loadModule } from './load.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

async function run(name: string, opts: { runs?: string }) {
  const candidates = [name, resolve(repo, 'experiments', `${name}.ts`)];
  const file = candidates.find((f) => existsSync(f));
  if (!file)
    throw new BackstopInputError([
      { path: name, message: 'no such experiment file or name in experiments/' },
    ]);
  const exp = (await loadModule(file)).default as { name: string; base: unknown; runs: number; seed: number };
  const runs = opts.runs ? Number(opts.runs) : exp.runs;
  const sums = new Map<string, number>();
  for (let r = 0; r < runs; r++) {
    const res = simulate(exp.base as never, { seed: deriveRunSeed(exp.seed, 0, r), baseDir: dirname(file) });
    for (const k of METRIC_NAMES) sums.set(k, (sums.get(k) ?? 0) + res.metrics[k]);
  }
  console.log(`${exp.name}: ${runs} runs`);
  for (const k of METRIC_NAMES)
    console.log(`  ${k.padEnd(24)} ${((sums.get(k) ?? 0) / runs).toPrecision(6)}`);
}

const program = new Command('backstop-sim').description('backstop waterfall simulator');
program.command('run <experiment>').option('--runs <n>', 'number of runs').action(run);
program.parseAsync().catch((e) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(e instanceof BackstopInputError ? 2 : 1);
});
