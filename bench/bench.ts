/**
 * `npm run bench`: the engine's cost per account per tick next to a plain typed-array loop doing the
 * margin arithmetic for every account every tick, measured in the same process.
 *
 *   npm run bench                 # readable table
 *   npm run bench -- --json       # one JSON object on stdout
 *   npm run bench -- --quick      # only what finishes in about a minute
 *
 * Times are wall-clock medians of seeded runs after a warm-up run, single thread.
 */
import { cpus } from 'node:os';
import { simulate } from '../src/index.js';

interface Args {
  json: boolean;
  quick: boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { json: false, quick: false };
  for (const s of argv) {
    if (s === '--json') a.json = true;
    else if (s === '--quick') a.quick = true;
    else if (s === '--help' || s === '-h') {
      console.log('usage: npm run bench -- [--json] [--quick]');
      process.exit(0);
    } else {
      console.error(`unknown option ${s}; allowed: --json, --quick`);
      process.exit(2);
    }
  }
  return a;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * The reference kernel: every account, every tick, equity at the mark and the maintenance test, on
 * Float64Array columns — what a vectorised implementation does per tick. Returns ns per account-tick.
 */
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
    const lev = 2 + 23 * rnd();
    qty[i] = ((rnd() < 0.6 ? 1 : -1) * cash[i] * lev) / 2000;
    entry[i] = 2000;
  }
  const run = (T: number) => {
    let p = 2000;
    let hits = 0;
    for (let t = 0; t < T; t++) {
      p *= 1 + 0.0005 * (rnd() - 0.5);
      for (let i = 0; i < n; i++) {
        const q = qty[i];
        const e = cash[i] + q * (p - entry[i]);
        if (e < mmr[i] * Math.abs(q) * p) hits++;
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

/** The engine on a venue of `n` noise traders through a 35% crash (the benchmark model's shape). */
export function engineConfig(n: number, ticks: number) {
  return {
    ticks,
    dtSeconds: 60,
    market: {
      index: { model: 'gbm', p0: 2000, sigma: 0.8 },
      shocks: [{ atTick: Math.floor(ticks / 2), change: -0.35, durationSeconds: 7200 }],
      liquidity: { depthUsd: (2e6 * n) / 100, resilience: 0.9, agentSlippage: false },
      funding: { enabled: false },
    },
    venue: {
      takerFee: 0.0005,
      feeOn: 'close' as const,
      liquidationFee: 0.01,
      insuranceFund: 0,
      insuranceFundShareOfCollateral: 0.005,
    },
    agents: {
      traders: {
        count: n,
        capital: { dist: 'uniform' as const, min: 1000, max: 100000 },
        mix: [{ strategy: 'noise', fraction: 1 }],
      },
    },
  };
}

export function engineRun(n: number, ticks: number, seeds: number) {
  const cfg = engineConfig(n, ticks);
  // warm-up: until the JIT has settled (at least 1 s and 2 runs; small runs need many)
  const w0 = performance.now();
  for (let k = 0; k < 2 || performance.now() - w0 < 1000; k++) simulate(cfg, { seed: 1_000_000 + k });
  const walls: number[] = [];
  for (let s = 1; s <= seeds; s++) {
    const t0 = performance.now();
    simulate(cfg, { seed: s });
    walls.push((performance.now() - t0) / 1000);
  }
  const med = median(walls);
  return {
    size: n,
    agents: n,
    ticks,
    median_run_s: med,
    ns_per_agent_tick: (med * 1e9) / (n * ticks),
    peak_rss_mb: process.resourceUsage().maxRSS / 1024,
  };
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  const c = cpus();
  const machine = { cpus: c.length, model: c[0]?.model ?? 'unknown', node: process.version };
  const sizes: [number, number, number][] = args.quick
    ? [
        [10_000, 1440, 5],
        [1_000_000, 240, 5],
      ]
    : [
        [10_000, 1440, 9],
        [1_000_000, 1440, 5],
      ];
  const kernel = sizes.map(([n, t]) => ({
    n,
    ns: kernelNsPerAccountTick(n, Math.min(t, n >= 1e6 ? 100 : 1000)),
  }));
  const engine = sizes.map(([n, t, s]) => engineRun(n, t, s));
  const out = {
    machine,
    kernel_ns_per_agent_tick: median(kernel.map((k) => k.ns)),
    kernel: kernel.map((k) => ({ agents: k.n, ns_per_agent_tick: k.ns })),
    engine,
  };
  if (args.json) {
    console.log(JSON.stringify(out));
    return;
  }
  console.log(`machine: ${machine.cpus} × ${machine.model}, node ${machine.node}`);
  console.log(
    '| accounts | ticks | kernel ns/account-tick | engine median run (s) | engine ns/account-tick | engine / kernel | peak RSS (MB) |',
  );
  console.log('|---:|---:|---:|---:|---:|---:|---:|');
  engine.forEach((e, i) => {
    const k = kernel[i].ns;
    console.log(
      `| ${e.agents.toLocaleString('en')} | ${e.ticks} | ${k.toFixed(2)} | ${e.median_run_s.toFixed(3)} | ${e.ns_per_agent_tick.toFixed(2)} | ${(e.ns_per_agent_tick / k).toFixed(2)} | ${e.peak_rss_mb.toFixed(0)} |`,
    );
  });
}

if (process.argv[1]?.endsWith('bench.js')) main();
