/**
 * `npm run bench`: the numbers of the performance section of the README.
 *
 *   npm run bench                 # readable tables
 *   npm run bench -- --json       # one JSON object on stdout
 *   npm run bench -- --quick      # only what finishes in about a minute (no xl, fewer runs)
 *   npm run bench -- --against DIR [--pairs N]
 *                                 # this build against another built checkout (e.g. a `git worktree` of the
 *                                 # commit before a change), size by size, side by side in one run
 *   npm run bench -- --against DIR --interleaved [--pairs N] [--processes P]
 *                                 # the same, both builds in each process, run by run (the steadier figure)
 *
 * - kernel_ns_per_agent_tick: a plain typed-array loop doing the margin arithmetic for every account every
 *   tick (what a vectorised implementation does per tick), measured in this process.
 * - engine: the benchmark model (experiments/bench-cascade.ts) at small, large and xl; median wall time of
 *   at least 5 seeded runs after a warm-up, single thread, each size in a fresh child process so that its
 *   peak RSS is its own.
 * - reference: the numpy implementation of the same model (bench/reference/cascade_numpy.py) timed on this
 *   machine, when `python3` with numpy is available.
 * - features: a venue with every built-in strategy and every kind of waterfall stage active.
 * - parallel: runs per second of the default experiment through the runner with 1 worker and with one
 *   worker per core; efficiency = runs/s ÷ (workers × single-worker runs/s).
 * - arrow_write_share: share of that batch's wall time the main thread spent writing results.
 *
 * `--against DIR` times the engine sizes and the full-featured venue of this build and of DIR's build
 * (`DIR/dist/bench/bench.js`, each in its own child processes) in pairs, in ABBA order so that a drift of the
 * machine's speed during the run (up to 2× on a shared VM) falls on both alike, and prints each side's
 * median and their ratio (this ÷ DIR). Each side runs its own model: a change to the model is timed too.
 *
 * `--interleaved` loads both builds into each child process and alternates single runs (this, DIR; then DIR,
 * this; N pairs, default 40, each pair on the same seed); `--processes P` (default 8) such processes per case.
 * The ratio is the mean over the processes of each one's geometric mean ratio, ± its standard error across
 * processes: each process compiles the two builds its own way, so the process, not the pair, is the unit. Two child processes minutes apart see a machine whose
 * speed drifts by ±10–20% between them (an A/A comparison of one build against itself read 0.925 in 8 ABBA
 * pairs, docs/performance.md); two runs a few milliseconds apart see nearly the same machine, so the ratio of
 * each pair is the steady figure. Both builds then share the process's heap and garbage collector, which
 * is why the alternation: what one build's garbage costs falls on both alike.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { median } from 'simple-statistics';
import { CASCADE_SIZES, cascadeConfig } from '../experiments/bench-cascade.js';
import { findExperiment } from '../src/experiment/resolve.js';
import { type SimConfigInput, simulate } from '../src/index.js';
import { runBatch } from '../src/runner/run.js';

/** The declared sizes plus 10,000 accounts (the engine issue's reporting size). */
const SIZES = { ...CASCADE_SIZES, '10k': [10_000, 2_000] } as const;
type Size = keyof typeof SIZES;
const SELF = fileURLToPath(import.meta.url);
const REFERENCE = fileURLToPath(new URL('../../bench/reference/cascade_numpy.py', import.meta.url));

/** The reference kernel: every account, every tick, equity at the mark and the maintenance test. */
export function kernelNsPerAccountTick(n: number, ticks: number): number {
  const cash = new Float64Array(n);
  const qty = new Float64Array(n);
  const entry = new Float64Array(n);
  const mmr = new Float64Array(n).fill(0.02);
  let s = 12345;
  const rnd = () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 4294967296;
  };
  for (let i = 0; i < n; i++) {
    cash[i] = 1000 + 99000 * rnd();
    qty[i] = ((rnd() < 0.6 ? 1 : -1) * cash[i] * (2 + 23 * rnd())) / 2000;
    entry[i] = 2000;
  }
  const run = (T: number) => {
    let p = 2000;
    let hits = 0;
    for (let t = 0; t < T; t++) {
      p *= 1 + 0.0005 * (rnd() - 0.5);
      for (let i = 0; i < n; i++) {
        const q = qty[i];
        if (cash[i] + q * (p - entry[i]) < mmr[i] * Math.abs(q) * p) hits++;
      }
    }
    return hits;
  };
  run(Math.max(1, Math.floor(ticks / 10)));
  const t0 = process.hrtime.bigint();
  const hits = run(ticks);
  const ns = Number(process.hrtime.bigint() - t0);
  if (hits < 0) console.log(hits);
  return ns / (n * ticks);
}

/** The CPU time of the median run of the last {@link timeRuns} (s): see `median_cpu_s`. */
let lastCpu = Number.NaN;

/**
 * Median single-thread wall time of `runs` seeded runs of `cfg` after warming up (≥ 1 s and ≥ 2 runs). The
 * median of the process's CPU time per run (user + system, every thread of the process: V8's compiler and
 * garbage-collector helpers too) is left in `lastCpu`: on a shared machine, time the process waited for a
 * core is in the wall time but not in the CPU time, so the CPU time of two builds is the steadier comparison
 * of the work each does (what a run waits for, memory included, is in both).
 */
function timeRuns(cfg: SimConfigInput, runs: number): number {
  const w0 = performance.now();
  for (let k = 0; k < 2 || performance.now() - w0 < 1000; k++) simulate(cfg, { seed: 1_000_000 + k });
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let s = 1; s <= runs; s++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    simulate(cfg, { seed: s });
    walls.push((performance.now() - t0) / 1000);
    const c = process.cpuUsage(c0);
    cpus.push((c.user + c.system) / 1e6);
  }
  lastCpu = median(cpus);
  return median(walls);
}

/** A venue with every built-in strategy and every kind of stage active (the full-featured cost). */
export function fullFeaturedConfig(traders: number, ticks: number): SimConfigInput {
  return {
    ticks,
    market: {
      index: { model: 'merton', sigma: 0.8, lambda: 20 },
      shocks: [{ atTick: Math.floor(ticks / 2), change: -0.3, durationSeconds: 3600 }],
      oracle: { delaySeconds: 60, noise: 0.0005 },
      liquidity: { depthUsd: 200 * traders, thinning: 1 },
      funding: { intervalSeconds: 3600 },
      congestion: { sensitivity: 1, failureRate: 0.2, delayTicksPerLevel: 1 },
      spot: { depthUsd: 1e7 },
    },
    venue: {
      tiers: [
        { minNotional: 0, mmr: 0.02, imr: 0.04 },
        { minNotional: 500_000, mmr: 0.05, imr: 0.1 },
      ],
      insuranceFund: 1e6,
    },
    waterfall: {
      stages: [
        { stage: 'takeover', bonus: 0.05 },
        { stage: 'dutch-auction' },
        { stage: 'vault', initialUsd: 1e6 },
        { stage: 'market' },
        { stage: 'insurance-fund' },
        { stage: 'adl' },
        { stage: 'socialized' },
      ],
    },
    agents: {
      traders: {
        count: traders,
        capital: { dist: 'lognormal', median: 10_000, sigma: 1 },
        mix: [
          { strategy: 'noise', fraction: 0.5 },
          { strategy: 'momentum', fraction: 0.15 },
          { strategy: 'mean-reversion', fraction: 0.15 },
          { strategy: 'hold', fraction: 0.1996, params: { side: 'random', margin: { policy: 'topup' } } },
          { strategy: 'whale', fraction: 0.0002, params: { leverage: 20 } },
          { strategy: 'attacker', fraction: 0.0002 },
        ],
      },
      liquidators: {
        count: 30,
        capital: { dist: 'fixed', value: 2e6 },
        mix: [
          { strategy: 'fixed-spread-taker', count: 10 },
          { strategy: 'dutch-taker', count: 10 },
          { strategy: 'english-bidder', count: 10 },
        ],
      },
      lps: {
        count: 40,
        capital: { dist: 'fixed', value: 250_000 },
        mix: [
          { strategy: 'lp-passive', count: 10 },
          { strategy: 'lp-yield-chaser', count: 10 },
          { strategy: 'lp-panic', count: 10 },
          { strategy: 'lp-front-runner', count: 10 },
        ],
      },
      arbitrageurs: {
        count: 10,
        capital: { dist: 'fixed', value: 1e6 },
        mix: [
          { strategy: 'basis-arb', count: 5 },
          { strategy: 'funding-carry', count: 5 },
        ],
      },
      marketMakers: { count: 5, mix: [{ strategy: 'passive-mm', count: 5 }] },
    },
  };
}

// ------------------------------------------------------------------------------------------ child modes

function childEngine(size: Size, runs: number): void {
  const [n, ticks] = SIZES[size];
  const med = timeRuns(cascadeConfig(n, ticks), runs);
  const out = {
    size,
    agents: n,
    ticks,
    median_run_s: med,
    median_cpu_s: lastCpu,
    ns_per_agent_tick: (med * 1e9) / (n * ticks),
    peak_rss_mb: process.resourceUsage().maxRSS / 1024,
  };
  process.stdout.write(JSON.stringify(out));
}

function childFeatures(traders: number, ticks: number, runs: number): void {
  const cfg = fullFeaturedConfig(traders, ticks);
  const med = timeRuns(cfg, runs);
  const agents = traders + 30 + 40 + 10 + 5;
  process.stdout.write(
    JSON.stringify({
      agents,
      ticks,
      median_run_s: med,
      median_cpu_s: lastCpu,
      ns_per_agent_tick: (med * 1e9) / (agents * ticks),
    }),
  );
}

async function childParallel(workers: number, runs: number): Promise<void> {
  const out = mkdtempSync(join(tmpdir(), 'backstop-bench-'));
  try {
    const spec = { file: findExperiment('baseline'), overrides: runs === 1000 ? {} : { runs } };
    const r = await runBatch(spec, { out, workers, progress: 'none', log: () => {} });
    process.stdout.write(
      JSON.stringify({ workers, runs: r.totalRuns, seconds: r.seconds, writeSeconds: r.writeSeconds }),
    );
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

function child<T>(args: string[], script = SELF): T {
  return JSON.parse(
    execFileSync(process.execPath, [script, ...args], { encoding: 'utf8', maxBuffer: 1 << 22 }),
  );
}

/** One case of `--interleaved`: this build's and DIR's runs alternated in this process (see the header). */
async function childInterleaved(dir: string, name: string, pairs: number, quick: boolean): Promise<void> {
  const url = (rel: string) => pathToFileURL(join(resolve(dir), 'dist', rel)).href;
  const theirs = (await import(url('src/index.js'))) as { simulate: typeof simulate };
  const theirModel = (await import(url('experiments/bench-cascade.js'))) as {
    cascadeConfig: typeof cascadeConfig;
  };
  let mine: SimConfigInput;
  let other: SimConfigInput;
  if (name === 'features') {
    // the same config for both: the full-featured venue is defined here, not in the model
    mine = other = fullFeaturedConfig(quick ? 10_000 : 50_000, 1440);
  } else {
    const [n, ticks] = SIZES[name as Size];
    mine = cascadeConfig(n, ticks);
    other = theirModel.cascadeConfig(n, ticks);
  }
  const time = (f: typeof simulate, cfg: SimConfigInput, seed: number) => {
    const t0 = performance.now();
    f(cfg, { seed });
    return (performance.now() - t0) / 1000;
  };
  // warm-up: both compiled, at least 2 runs each and 1 s in all
  const w0 = performance.now();
  for (let k = 0; k < 2 || performance.now() - w0 < 1000; k++) {
    time(simulate, mine, 1_000_000 + k);
    time(theirs.simulate, other, 1_000_000 + k);
  }
  const a: number[] = [];
  const b: number[] = [];
  for (let k = 0; k < pairs; k++) {
    if (k % 2 === 0) {
      a.push(time(simulate, mine, k + 1));
      b.push(time(theirs.simulate, other, k + 1));
    } else {
      b.push(time(theirs.simulate, other, k + 1));
      a.push(time(simulate, mine, k + 1));
    }
  }
  const logs = a.map((x, k) => Math.log(x / b[k]));
  const m = logs.reduce((p, q) => p + q, 0) / pairs;
  const sd = pairs > 1 ? Math.sqrt(logs.reduce((p, q) => p + (q - m) ** 2, 0) / (pairs - 1)) : 0;
  process.stdout.write(
    JSON.stringify({
      case: name,
      pairs,
      this_s: median(a),
      against_s: median(b),
      median_ratio: median(a.map((x, k) => x / b[k])),
      geo_mean_ratio: Math.exp(m),
      // the geometric mean's standard error, on the ratio scale (delta method)
      se: (Math.exp(m) * sd) / Math.sqrt(pairs),
    }),
  );
}

/**
 * `--against DIR --interleaved`: per case, `processes` child processes, each with both builds in it (see the
 * header); the ratio is the mean over the processes of each one's geometric mean ratio, with the standard
 * error across processes (each process compiles the two builds its own way, which moves its ratio by a few
 * percent: the process, not the pair, is the unit).
 */
function compareInterleaved(
  dir: string,
  pairs: number,
  processes: number,
  quick: boolean,
  json: boolean,
): void {
  const names = ['small', '10k', 'large', ...(quick ? [] : ['xl']), 'features'];
  // runs of the larger cases take seconds: fewer pairs of them
  const count = (n: string) =>
    n === 'xl'
      ? Math.max(2, Math.round(pairs / 10))
      : n === 'features'
        ? Math.max(3, Math.round(pairs / 5))
        : pairs;
  const rows = names.map((n) => {
    const per = Array.from({ length: processes }, () =>
      child<{ this_s: number; against_s: number; geo_mean_ratio: number }>([
        '--interleaved-child',
        dir,
        n,
        String(count(n)),
        quick ? 'quick' : 'full',
      ]),
    );
    const ratios = per.map((r) => r.geo_mean_ratio);
    const mean = ratios.reduce((p, q) => p + q, 0) / processes;
    const sd =
      processes > 1
        ? Math.sqrt(ratios.reduce((p, q) => p + (q - mean) ** 2, 0) / (processes - 1))
        : Number.NaN;
    const r = {
      case: n,
      processes,
      pairs: count(n),
      this_s: median(per.map((x) => x.this_s)),
      against_s: median(per.map((x) => x.against_s)),
      ratio: mean,
      se: sd / Math.sqrt(processes),
      per_process: ratios,
    };
    if (!json)
      process.stdout.write(
        `| ${n} | ${processes} × ${r.pairs} | ${r.this_s.toFixed(4)} | ${r.against_s.toFixed(4)} | ${r.ratio.toFixed(3)} ± ${r.se.toFixed(3)} | ${ratios.map((x) => x.toFixed(3)).join(' ')} |\n`,
      );
    return r;
  });
  if (json) process.stdout.write(`${JSON.stringify({ against: dir, interleaved: true, rows })}\n`);
}

/** `--against DIR`: this build and DIR's, size by size, in ABBA pairs (see the header). */
function compare(dir: string, pairs: number, quick: boolean, json: boolean): void {
  const other = join(dir, 'dist', 'bench', 'bench.js');
  const cases: [string, string[]][] = [
    ['small', ['--engine-child', 'small', '20']],
    ['10k', ['--engine-child', '10k', '20']],
    ['large', ['--engine-child', 'large', quick ? '3' : '9']],
    ...(quick ? [] : ([['xl', ['--engine-child', 'xl', '5']]] as [string, string[]][])),
    ['features', ['--features-child', quick ? '10000' : '50000', '1440', quick ? '2' : '3']],
  ];
  const rows = cases.map(([name, args]) => {
    const mine: number[] = [];
    const theirs: number[] = [];
    for (let k = 0; k < pairs; k++) {
      const order = k % 2 === 0 ? [SELF, other] : [other, SELF];
      for (const script of order) {
        const r = child<{ median_run_s: number }>(args, script);
        (script === SELF ? mine : theirs).push(r.median_run_s);
      }
    }
    const a = median(mine);
    const b = median(theirs);
    if (!json)
      process.stdout.write(
        `| ${name} | ${a.toFixed(4)} | ${b.toFixed(4)} | ${(a / b).toFixed(3)} | ${mine.map((x, k) => (x / theirs[k]).toFixed(3)).join(' ')} |\n`,
      );
    return { case: name, this_s: a, against_s: b, ratio: a / b, pairs: mine.map((x, k) => x / theirs[k]) };
  });
  if (json) process.stdout.write(`${JSON.stringify({ against: dir, pairs, rows })}\n`);
}

/** Median wall time of the numpy reference at `size`, or undefined without python3 + numpy. */
function reference(size: Size, runs: number): number | undefined {
  const r = spawnSync('python3', [REFERENCE, '--size', size, '--runs', String(runs), '--seed', '1'], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  if (r.status !== 0) return undefined;
  const summary = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
    .find((x) => x.summary);
  return summary?.median_wall_s;
}

// ------------------------------------------------------------------------------------------ main

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === '--engine-child') return childEngine(argv[1] as Size, Number(argv[2]));
  if (argv[0] === '--features-child') return childFeatures(Number(argv[1]), Number(argv[2]), Number(argv[3]));
  if (argv[0] === '--parallel-child') return childParallel(Number(argv[1]), Number(argv[2]));
  if (argv[0] === '--interleaved-child')
    return childInterleaved(argv[1], argv[2], Number(argv[3]), argv[4] === 'quick');
  let against: string | undefined;
  const interleaved = argv.includes('--interleaved');
  let pairs = interleaved ? 40 : 4;
  let processes = 8;
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k];
    if (a === '--processes') {
      processes = Number(argv[++k]);
      if (!Number.isInteger(processes) || processes < 1 || processes > 100) {
        console.error(`--processes must be an integer from 1 to 100, got ${argv[k]}`);
        process.exit(2);
      }
    } else if (a === '--against' || a === '--pairs') {
      const v = argv[++k];
      if (v === undefined) {
        console.error(`${a} needs a value`);
        process.exit(2);
      }
      if (a === '--against') against = v;
      else {
        pairs = Number(v);
        if (!Number.isInteger(pairs) || pairs < 1 || pairs > 1000) {
          console.error(`--pairs must be an integer from 1 to 1000, got ${v}`);
          process.exit(2);
        }
      }
    } else if (!['--json', '--quick', '--interleaved'].includes(a)) {
      console.error(
        `unknown option ${a}; allowed: --json, --quick, --against DIR, --pairs N, --interleaved, --processes N`,
      );
      process.exit(2);
    }
  }
  if (interleaved && against === undefined) {
    console.error('--interleaved compares two builds: give the other with --against DIR');
    process.exit(2);
  }
  const json = argv.includes('--json');
  const quick = argv.includes('--quick');
  const log = (s: string) => {
    if (!json) process.stdout.write(`${s}\n`);
  };
  const cores = availableParallelism();
  const machine = { cpus: cores, model: cpus()[0]?.model ?? 'unknown', node: process.version };
  if (against !== undefined && !existsSync(join(against, 'dist', 'bench', 'bench.js'))) {
    console.error(
      `--against: ${join(against, 'dist', 'bench', 'bench.js')} not found; build that checkout first (npx tsc -p . in ${against})`,
    );
    process.exit(2);
  }
  log(`machine: ${machine.cpus} CPUs, ${machine.model}, Node ${machine.node}${quick ? ' (--quick)' : ''}\n`);
  if (against !== undefined && interleaved) {
    log(
      `this build against ${against}: ${processes} processes per case, each with both builds, runs alternated (${pairs} pairs each; xl a tenth, features a fifth of them); ratio = this ÷ against, mean over the processes ± its standard error\n`,
    );
    log('| case | processes × pairs | this (s) | against (s) | ratio ± SE | per process |');
    log('|---|---:|---:|---:|---:|---|');
    return compareInterleaved(against, pairs, processes, quick, json);
  }
  if (against !== undefined) {
    log(`this build against ${against}, ${pairs} pair(s) per case in ABBA order (median run, s)\n`);
    log('| case | this | against | ratio | ratio per pair |');
    log('|---|---:|---:|---:|---|');
    return compare(against, pairs, quick, json);
  }

  const kernel = kernelNsPerAccountTick(1_000_000, quick ? 30 : 100);
  log(`kernel (typed-array margin loop over every account): ${kernel.toFixed(2)} ns per account-tick\n`);

  const sizes: [Size, number][] = quick
    ? [
        ['small', 20],
        ['10k', 10],
        ['large', 5],
      ]
    : [
        ['small', 20],
        ['10k', 20],
        ['large', 9],
        ['xl', 5],
      ];
  const engine = sizes.map(([s, runs]) =>
    child<{
      size: Size;
      agents: number;
      ticks: number;
      median_run_s: number;
      ns_per_agent_tick: number;
      peak_rss_mb: number;
    }>(['--engine-child', s, String(runs)]),
  );
  const refs = sizes.map(([s]) => (s === 'large' || s === 'xl' ? reference(s, quick ? 3 : 5) : undefined));
  log(
    '| size | accounts | ticks | median run (s) | ns/account-tick | vs kernel | peak RSS (MB) | numpy median (s) | speed-up |',
  );
  log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  engine.forEach((e, i) => {
    const ref = refs[i];
    log(
      `| ${e.size} | ${e.agents.toLocaleString('en')} | ${e.ticks} | ${e.median_run_s.toFixed(3)} | ${e.ns_per_agent_tick.toFixed(3)} | ${(e.ns_per_agent_tick / kernel).toFixed(2)} | ${e.peak_rss_mb.toFixed(0)} | ${ref?.toFixed(3) ?? 'n/a'} | ${ref ? `${(ref / e.median_run_s).toFixed(1)}×` : 'n/a'} |`,
    );
  });
  // the declared sizes only: small and the largest measured
  const first = engine[0];
  const last = engine[engine.length - 1];
  const exponent =
    Math.log(last.median_run_s / last.ticks / (first.median_run_s / first.ticks)) /
    Math.log(last.agents / first.agents);
  log(`\ncost per tick grows as accounts^${exponent.toFixed(2)} from ${first.size} to ${last.size}`);

  const features = child<{ agents: number; ticks: number; median_run_s: number; ns_per_agent_tick: number }>([
    '--features-child',
    String(quick ? 10_000 : 50_000),
    '1440',
    quick ? '3' : '5',
  ]);
  log(
    `full-featured venue (every built-in strategy and stage): ${features.agents.toLocaleString('en')} agents × ${features.ticks} ticks, ${features.median_run_s.toFixed(3)} s a run, ${features.ns_per_agent_tick.toFixed(2)} ns per agent-tick = ${(features.ns_per_agent_tick / kernel).toFixed(2)}× the kernel\n`,
  );

  // the whole default experiment (its 1,000 runs), or a slice of it with --quick: a short batch is
  // dominated by fixed costs (starting workers, loading the experiment, assembling the files)
  const runs = quick ? 96 : 1000;
  const one = child<{ workers: number; runs: number; seconds: number; writeSeconds: number }>([
    '--parallel-child',
    '1',
    String(runs),
  ]);
  const all = child<{ workers: number; runs: number; seconds: number; writeSeconds: number }>([
    '--parallel-child',
    String(cores),
    String(runs),
  ]);
  const rate = (r: typeof one) => r.runs / r.seconds;
  const parallel = [one, all].map((r) => ({
    workers: r.workers,
    runs_per_s: rate(r),
    efficiency: rate(r) / (r.workers * rate(one)),
  }));
  for (const p of parallel)
    log(
      `parallel: default experiment, ${runs} runs, ${p.workers} worker(s): ${p.runs_per_s.toFixed(2)} runs/s, efficiency ${p.efficiency.toFixed(2)}`,
    );
  const arrowWriteShare = all.writeSeconds / all.seconds;
  log(`writing results: ${(100 * arrowWriteShare).toFixed(2)}% of the batch's wall time`);

  if (json)
    process.stdout.write(
      `${JSON.stringify({
        machine,
        kernel_ns_per_agent_tick: kernel,
        engine,
        reference: engine.map((e, i) => ({ size: e.size, median_run_s: refs[i] ?? null })),
        scaling_exponent: exponent,
        features,
        parallel,
        arrow_write_share: arrowWriteShare,
      })}\n`,
    );
}

await main();
