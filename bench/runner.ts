/**
 * Runner benchmark (`npm run bench:runner`, `-- --quick` for a short version, `-- --json` for JSON,
 * `-- --pairs N` for N pairs of speed batches instead of 4, `-- --speed-only` to skip the memory part):
 *  (a) peak RSS of the runner's process (main thread and worker threads together: one process) from 1,000
 *      to 20,000 summary-only runs — must stay flat and under 300 MB;
 *  (b) runs per second of the whole default experiment with 1 and with 2 workers (target: ratio ≥ 1.8),
 *      median over four pairs in ABBA order.
 * Each measurement runs in a fresh child process, so one cannot warm or pollute another.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { median } from 'simple-statistics';
import { findExperiment } from '../src/experiment/resolve.js';
import { runBatch } from '../src/runner/run.js';

interface ChildResult {
  runs: number;
  workers: number;
  seconds: number;
  runsPerSec: number;
  peakRssMb: number;
}

async function child(
  runs: number,
  workers: number,
  preset: string | undefined,
  set: string[],
): Promise<void> {
  const out = mkdtempSync(join(tmpdir(), 'backstop-bench-'));
  try {
    const spec = { file: findExperiment('baseline'), overrides: { runs, preset, set } };
    const r = await runBatch(spec, { out, workers, progress: 'none', log: () => {} });
    const res: ChildResult = {
      runs: r.totalRuns,
      workers,
      seconds: r.seconds,
      runsPerSec: r.totalRuns / r.seconds,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
    };
    process.stdout.write(JSON.stringify(res));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

function spawnChild(runs: number, workers: number, preset?: string, set: string[] = []): ChildResult {
  const args = [
    fileURLToPath(import.meta.url),
    '--child',
    String(runs),
    String(workers),
    preset ?? '-',
    ...set,
  ];
  return JSON.parse(execFileSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 20 }));
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === '--child') {
    const [runs, workers, preset, ...set] = argv.slice(1);
    return child(Number(runs), Number(workers), preset === '-' ? undefined : preset, set);
  }
  let opts: { quick: boolean; json: boolean; speedOnly: boolean; pairs: string | undefined };
  try {
    const { values } = parseArgs({
      args: argv,
      options: {
        quick: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        'speed-only': { type: 'boolean', default: false },
        pairs: { type: 'string' },
      },
      strict: true,
    });
    opts = { quick: values.quick, json: values.json, speedOnly: values['speed-only'], pairs: values.pairs };
    if (opts.pairs !== undefined && !/^[1-9][0-9]*$/.test(opts.pairs))
      throw new Error(`--pairs needs a positive integer (got ${opts.pairs})`);
  } catch (e) {
    process.stderr.write(
      `bench:runner: ${(e as Error).message} (options: --quick, --json, --speed-only, --pairs N)\n`,
    );
    process.exit(2);
  }
  const { quick, json, speedOnly } = opts;
  const log = (s: string) => {
    if (!json) process.stdout.write(`${s}\n`);
  };
  const machine = {
    cpus: availableParallelism(),
    model: cpus()[0]?.model ?? 'unknown',
    node: process.version,
  };
  log(`machine: ${machine.cpus} CPUs, ${machine.model}, Node ${machine.node}`);

  // (a) memory: summary-only runs of a small venue, all cores
  const memory: ChildResult[] = [];
  for (const runs of speedOnly ? [] : quick ? [1000, 5000] : [1000, 5000, 20000]) {
    const r = spawnChild(runs, machine.cpus, 'small', ['ticks=120']);
    memory.push(r);
    log(
      `memory: ${runs} runs, ${r.workers} workers: peak RSS ${r.peakRssMb.toFixed(0)} MB (${r.runsPerSec.toFixed(0)} runs/s)`,
    );
  }

  // (b) speed of the default experiment with 1 and 2 workers: the whole default experiment (1,000 runs); a
  // short batch measures mostly fixed costs (starting workers, loading the experiment, assembling the
  // files), not the rate at which runs go. This VM's speed drifts by ±10–20% over minutes (other tenants),
  // so one pair can land either side of a target: pairs run in ABBA order (1 then 2 workers, then 2 then 1,
  // ...), so that a steady drift within a pair favours each side equally often, and each pair's ratio is
  // reported with their median.
  const runs = quick ? 96 : 1000;
  const pairs = opts.pairs ? Number(opts.pairs) : quick ? 1 : 4;
  const ones: ChildResult[] = [];
  const twos: ChildResult[] = [];
  const ratios: number[] = [];
  for (let k = 0; k < pairs; k++) {
    let one: ChildResult;
    let two: ChildResult;
    if (k % 2 === 0) {
      one = spawnChild(runs, 1);
      two = spawnChild(runs, 2);
    } else {
      two = spawnChild(runs, 2);
      one = spawnChild(runs, 1);
    }
    ones.push(one);
    twos.push(two);
    ratios.push(two.runsPerSec / one.runsPerSec);
    log(
      `speed: baseline, ${runs} runs${k % 2 === 0 ? '' : ' (2 workers first)'}: 1 worker ${one.runsPerSec.toFixed(2)} runs/s (${one.seconds.toFixed(1)} s), 2 workers ${two.runsPerSec.toFixed(2)} runs/s (${two.seconds.toFixed(1)} s): ${ratios[k].toFixed(2)}x`,
    );
  }
  const speedup = median(ratios);
  const one = median(ones.map((r) => r.runsPerSec));
  const two = median(twos.map((r) => r.runsPerSec));
  log(
    `speed-up with 2 workers: median ${speedup.toFixed(2)}x over ${pairs} pair(s) (range ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}; efficiency ${(speedup / 2).toFixed(2)})`,
  );
  if (json)
    process.stdout.write(
      `${JSON.stringify({
        machine,
        memory,
        parallel: [
          { workers: 1, runs_per_s: one, efficiency: 1 },
          { workers: 2, runs_per_s: two, efficiency: two / (2 * one) },
        ],
        pairs: ratios,
        speedup,
      })}\n`,
    );
}

await main();
