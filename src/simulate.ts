import { parseConfig } from './config/parse.js';
import type { SimConfig, SimConfigInput } from './config/schema.js';
import type { EventColumns } from './engine/events.js';
import { type GroupPayoff, InvariantError, type RunOptions, Simulation } from './engine/simulation.js';
import type { RunMetrics, SeriesName } from './metrics.js';

/** What one run returns. */
export interface SimulateResult {
  /** The seed the run used. */
  seed: number;
  /** Summary metrics (see `METRICS`). */
  metrics: RunMetrics;
  /** Gross money in the system, the larger of start and end (USD): the scale against which conservation is judged. */
  moneyScale: number;
  /** Payoff of each group of agents (one strategy in one role). */
  groups: GroupPayoff[];
  /** Per-tick series, every `series`-th tick, when asked for. */
  series?: Partial<Record<SeriesName, Float64Array>>;
  /** Logged events as packed columns, when asked for. */
  events?: EventColumns;
}

/**
 * Runs one simulation in-process.
 *
 * @param config a config as written by a user (validated here) or an already resolved one
 * @param opts the run's seed, and whether to record series (every K ticks) and events
 * @throws ConfigError when the config is invalid
 * @example
 * const r = simulate({ ticks: 1440, agents: { traders: { count: 1000, mix: [{ strategy: 'noise', fraction: 1 }] } } }, { seed: 1 });
 * console.log(r.metrics.liquidations, r.metrics.conservation_error);
 */
export function simulate(config: SimConfigInput | SimConfig, opts: RunOptions): SimulateResult {
  return simulateParsed(parseConfig(config, { baseDir: opts.baseDir ?? process.cwd() }), opts);
}

/**
 * {@link simulate} on a config that `parseConfig` (or `resolveExperiment`) already validated and resolved:
 * the runner's workers run thousands of runs of a few configs and skip validating each again.
 * @internal
 */
export function simulateParsed(cfg: SimConfig, opts: RunOptions): SimulateResult {
  const sim = new Simulation(cfg, opts);
  try {
    let metrics: ReturnType<Simulation['run']>;
    try {
      metrics = sim.run();
    } catch (e) {
      if (e instanceof InvariantError) throw new Error(`${e.message}; ${locateBreak(cfg, opts, e)}`);
      throw e;
    }
    const out: SimulateResult = {
      seed: sim.seed,
      metrics,
      moneyScale: sim.moneyScale,
      groups: sim.groupPayoffs,
    };
    if ((opts.series ?? 0) > 0) out.series = sim.series;
    if (opts.events) out.events = sim.events.columns();
    return out;
  } finally {
    // the run's per-account arrays go to the thread's next run (none of them is in the result)
    sim.dispose();
  }
}

/**
 * Where a run that broke an invariant first broke it: the run is replayed (runs are deterministic in their
 * seed) with the state checked after every tick (`Simulation.probe`: every balance, position and price
 * finite, all money within rounding of the start), which costs a pass over every account per tick and so is
 * done only for a run that failed.
 */
function locateBreak(cfg: SimConfig, opts: RunOptions, e: InvariantError): string {
  const sim = new Simulation(cfg, { ...opts, series: 0, events: false });
  try {
    sim.start();
    const start = sim.moneyStart;
    // what the probe found, unless it only repeats the invariant's own message
    const said = (what: string) =>
      e.invariant === 'conservation' && what.startsWith('all money') ? '' : `: ${what}`;
    const first = sim.probe(start, e.scale);
    if (first) return `first broken before the first tick${said(first)}`;
    for (let t = 0; t < cfg.ticks; t++) {
      sim.step(t);
      const what = sim.probe(start, e.scale);
      if (what) return `first broken at tick ${t}${said(what)}`;
    }
    return 'no tick broke it on its own: first seen in the end-of-run results';
  } catch (err) {
    return `the replay stopped at tick ${sim.tick}: ${err instanceof Error ? err.message : String(err)}`;
  } finally {
    sim.dispose();
  }
}
