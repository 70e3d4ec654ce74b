/**
 * The command line: `backstop-sim run | validate | list | merge`. Exit codes: 0 success, 1 runs failed (or
 * the output directory could not be written), 2 bad input (nothing created or changed), 130/143 stopped
 * by SIGINT/SIGTERM (finished runs kept; `--resume` completes the batch).
 */
import { Command, CommanderError, Option } from 'commander';
import { z } from 'zod';
import './index.js';
import { BackstopInputError } from './errors.js';
import { type ExperimentOverrides, findExperiment, resolveExperiment } from './experiment/resolve.js';
import { listPriceModels } from './market/price/registry.js';
import { mergeShards, OutputWriteError, runBatch, type Shard } from './runner/run.js';
import { listStrategies } from './strategy.js';

const badOption = (flag: string, message: string) =>
  new BackstopInputError([{ path: flag, message }], 'invalid option');

function intOption(flag: string, min: number, max = Number.MAX_SAFE_INTEGER) {
  return (v: string): number => {
    const n = Number(v);
    if (!/^-?\d+$/.test(v.trim()) || !Number.isSafeInteger(n) || n < min || n > max)
      throw badOption(
        flag,
        `must be an integer from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ' up'} (got ${JSON.stringify(v)})`,
      );
    return n;
  };
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** Parses `i/N` or `auto/N` (the index from Slurm, Kubernetes Indexed Jobs or AWS Batch array variables). */
export function parseShard(v: string, env: NodeJS.ProcessEnv = process.env): Shard {
  const m = /^(\d+|auto)\/(\d+)$/.exec(v.trim());
  if (!m) throw badOption('--shard', `expected i/N or auto/N, e.g. 0/4 (got ${JSON.stringify(v)})`);
  const count = Number(m[2]);
  if (count < 1) throw badOption('--shard', `N must be at least 1 (got ${count})`);
  let index: number;
  if (m[1] === 'auto') {
    const slurm = env.SLURM_ARRAY_TASK_ID || undefined;
    const raw = slurm ?? (env.JOB_COMPLETION_INDEX || env.AWS_BATCH_JOB_ARRAY_INDEX || undefined);
    if (raw === undefined)
      throw badOption(
        '--shard',
        'auto needs SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX or AWS_BATCH_JOB_ARRAY_INDEX in the environment',
      );
    if (!/^\d+$/.test(raw))
      throw badOption('--shard', `the array index ${JSON.stringify(raw)} is not a non-negative integer`);
    index =
      Number(raw) - (slurm !== undefined && env.SLURM_ARRAY_TASK_MIN ? Number(env.SLURM_ARRAY_TASK_MIN) : 0);
  } else index = Number(m[1]);
  if (!(index >= 0 && index < count))
    throw badOption('--shard', `index must be 0..${count - 1} (got ${index})`);
  return { index, count };
}

interface RunFlags {
  runs?: number;
  workers?: number;
  seed?: number;
  out?: string;
  set?: string[];
  series?: number;
  events?: boolean;
  shard?: string;
  resume?: boolean;
  failFast?: boolean;
  quiet?: boolean;
  preset?: string;
}

function overrides(f: RunFlags): ExperimentOverrides {
  return {
    preset: f.preset,
    runs: f.runs,
    seed: f.seed,
    set: f.set,
    series: f.series,
    events: f.events || undefined,
  };
}

/** A zod object's fields as { name, type, default, description } for `list`. */
function describeParams(
  schema: z.ZodType,
): { name: string; type: string; default?: unknown; description?: string }[] {
  const js = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<
      string,
      {
        type?: string;
        enum?: unknown[];
        const?: unknown;
        default?: unknown;
        description?: string;
        minimum?: number;
        maximum?: number;
      }
    >;
  };
  return Object.entries(js.properties ?? {}).map(([name, p]) => {
    let type = p.enum
      ? p.enum.map((x) => JSON.stringify(x)).join(' | ')
      : p.const !== undefined
        ? JSON.stringify(p.const)
        : (p.type ?? 'any');
    if (p.minimum !== undefined || p.maximum !== undefined)
      type += ` [${p.minimum ?? ''}..${p.maximum ?? ''}]`;
    return {
      name,
      type,
      ...(p.default !== undefined ? { default: p.default } : {}),
      ...(p.description ? { description: p.description } : {}),
    };
  });
}

function addRunOptions(cmd: Command): Command {
  return cmd
    .option('--preset <name>', 'apply a named preset of the experiment (e.g. small)')
    .option('--runs <n>', 'runs per sweep point', intOption('--runs', 1))
    .option('--seed <s>', 'master seed (unsigned 32-bit)', intOption('--seed', 0, 0xffffffff))
    .option('--set <path=value>', 'override a config field by its dotted path (repeatable)', collect);
}

/** Builds the command-line program. */
export function program(): Command {
  const prog = new Command('backstop-sim')
    .description(
      'Agent-based Monte Carlo simulator of the liquidation waterfall of crypto-derivatives venues',
    )
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  addRunOptions(
    prog
      .command('run')
      .description('run an experiment: runs.arrow, manifest.json (and series.arrow, events.arrow) in --out')
      .argument('<experiment>', 'path to a .ts/.js/.json experiment file, or a name in experiments/'),
  )
    .option('--workers <n>', 'worker threads (default: one per core)', intOption('--workers', 1, 1024))
    .option('--out <dir>', 'output directory (default: results/<experiment>)')
    .option(
      '--series <k>',
      'record per-tick series every K ticks into series.arrow',
      intOption('--series', 1),
    )
    .option('--events', 'record events into events.arrow')
    .option('--shard <i/N>', 'run shard i of N (or auto/N from the array-job index)')
    .option('--resume', 'keep the runs an interrupted batch finished in --out and run only the rest')
    .option('--fail-fast', 'stop at the first failed run')
    .option('--quiet', 'no progress output')
    .exitOverride()
    .action(async (arg: string, f: RunFlags) => {
      const shard = f.shard !== undefined ? parseShard(f.shard) : null;
      const file = findExperiment(arg);
      const spec = { file, overrides: overrides(f) };
      const resolved = await resolveExperiment(spec);
      const progress = f.quiet ? 'none' : process.stderr.isTTY ? 'tty' : 'lines';
      // SIGINT/SIGTERM: finish the runs in flight, keep them, exit non-zero (a second signal: at once)
      const stop = new AbortController();
      const onSignal = (sig: NodeJS.Signals) => {
        if (stop.signal.aborted) process.exit(signalCode(sig));
        process.stderr.write(`backstop-sim: ${sig}: stopping after the runs in flight (again to quit now)\n`);
        stop.abort(sig);
      };
      process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
      const r = await runBatch(spec, {
        resolved,
        out: f.out,
        workers: f.workers,
        shard,
        resume: f.resume,
        failFast: f.failFast,
        progress,
        signal: stop.signal,
      }).finally(() => process.off('SIGINT', onSignal).off('SIGTERM', onSignal));
      if (r.interrupted) {
        exitCode = signalCode(stop.signal.reason as NodeJS.Signals);
        return;
      }
      if (r.stopped) {
        exitCode = 1;
        return;
      }
      const share = shard ? ` (shard ${shard.index}/${shard.count})` : '';
      process.stderr.write(
        `${r.plan.name}${share}: ${r.ok} ok, ${r.failed} failed of ${r.totalRuns} runs (${r.ranRuns} run now, ${r.seconds.toFixed(1)} s) → ${r.out}\n`,
      );
      for (const x of r.failures.slice(0, 5))
        process.stderr.write(`  failed run ${x.run_id} (seed ${x.seed}): ${x.error}\n`);
      if (r.failed > 0) exitCode = 1;
    });

  addRunOptions(
    prog
      .command('validate')
      .description('check an experiment and print its resolved config and sweep (or every error)')
      .argument('<experiment>', 'path to a .ts/.js/.json experiment file, or a name in experiments/'),
  )
    .exitOverride()
    .action(async (arg: string, f: RunFlags) => {
      const file = findExperiment(arg);
      const e = await resolveExperiment({ file, overrides: overrides(f) });
      const out = {
        experiment: e.name,
        file: e.file,
        preset: e.preset,
        runsPerPoint: e.runs,
        points: e.points.length,
        totalRuns: e.runs * e.points.length,
        masterSeed: e.seed,
        crn: e.crn,
        record: e.record,
        sweep: { kind: e.sweepKind, fields: e.fields, points: e.points },
        config: e.base,
      };
      process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
      process.stderr.write(`${e.name}: valid (${out.points} point(s) × ${e.runs} runs)\n`);
    });

  prog
    .command('list')
    .description('list price models and strategies with their parameters, defaults and units')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .exitOverride()
    .action((f: { format: string }) => {
      const models = listPriceModels().map((m) => ({
        name: m.name,
        description: m.description,
        params: describeParams(m.params).filter((p) => p.name !== 'model'),
      }));
      const strategies = listStrategies().map((s) => ({
        name: s.name,
        role: s.role,
        description: s.description,
        params: describeParams(s.params),
      }));
      if (f.format === 'json') {
        process.stdout.write(`${JSON.stringify({ priceModels: models, strategies }, null, 2)}\n`);
        return;
      }
      const lines: string[] = [];
      const params = (ps: ReturnType<typeof describeParams>) => {
        for (const p of ps)
          lines.push(
            `    ${p.name}: ${p.type}${p.default !== undefined ? ` = ${JSON.stringify(p.default)}` : ''}${p.description ? ` — ${p.description}` : ''}`,
          );
      };
      lines.push('Price models (market.index.model):');
      for (const m of models) {
        lines.push(`  ${m.name} — ${m.description}`);
        params(m.params);
      }
      lines.push('', 'Strategies (agents.<role>.mix[].strategy):');
      for (const s of strategies) {
        lines.push(`  ${s.name} [${s.role}] — ${s.description}`);
        params(s.params);
      }
      process.stdout.write(`${lines.join('\n')}\n`);
    });

  prog
    .command('merge')
    .description('join shard output directories into what one machine would have written')
    .argument('<dirs...>', 'shard output directories (made by run --shard i/N)')
    .requiredOption('--out <dir>', 'output directory of the merged results')
    .exitOverride()
    .action((dirs: string[], f: { out: string }) => {
      const r = mergeShards(dirs, f.out);
      process.stderr.write(
        `${r.plan.name}: merged ${dirs.length} shard(s): ${r.ok} ok, ${r.failed} failed of ${r.totalRuns} runs → ${r.out}\n`,
      );
      if (r.failed > 0) exitCode = 1;
    });
  return prog;
}

let exitCode = 0;
/** Exit code after a signal: 128 + its number (SIGINT 130, SIGTERM 143). */
const signalCode = (sig: NodeJS.Signals) => (sig === 'SIGINT' ? 130 : 143);

/** Runs the command line and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  exitCode = 0;
  try {
    await program().parseAsync(argv);
    return exitCode;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (
        e.code === 'commander.helpDisplayed' ||
        e.code === 'commander.version' ||
        e.code === 'commander.help'
      )
        return 0;
      // commander printed the message already; an invalid option value arrives wrapped
      return 2;
    }
    if (e instanceof BackstopInputError) {
      process.stderr.write(`backstop-sim: ${e.message}\n`);
      return 2;
    }
    if (e instanceof OutputWriteError) {
      process.stderr.write(`backstop-sim: ${e.message}\n`);
      return 1;
    }
    process.stderr.write(`backstop-sim: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 1;
  }
}
