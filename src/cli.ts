/**
 * The command line: `backstop-sim run | validate | list | merge | analyze | game | export | report`. Exit codes:
 * 0 success, 1 runs failed (or the output directory could not be written), 2 bad input (nothing created or
 * changed), 130/143 stopped by SIGINT/SIGTERM (finished runs kept; `--resume` completes the batch).
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { z } from 'zod';
import './index.js';
import { type Analysis, type AnalyzeOptions, analyze, checkResultsFiles } from './analysis/analyze.js';
import type { EquilibriaFile } from './analysis/game-run.js';
import { equilibriaTable, payoffTable } from './analysis/game-tables.js';
import { type AnalysisFormat, renderAnalysis, textTable } from './analysis/render.js';
import { report } from './analysis/report.js';
import { loadConfigModules } from './config/modules.js';
import { BackstopInputError } from './errors.js';
import { MAX_RUNS } from './experiment/define.js';
import { type ExperimentOverrides, findExperiment, resolveExperiment } from './experiment/resolve.js';
import { EXPORT_FORMATS, type ExportedFile, type ExportFormat, exportResults } from './export.js';
import { listPriceModels } from './market/price/registry.js';
import type { MetricDecl } from './metrics.js';
import { gameSpec, mergeGameShards, runGameBatch } from './runner/game-batch.js';
import type { ProgressMode } from './runner/progress.js';
import {
  type BatchOptions,
  type BatchResult,
  checkOutDir,
  OutputWriteError,
  runBatch,
  type Shard,
  stopGraceS,
} from './runner/run.js';
import { writeFileAtomic } from './safe-fs.js';
import { listStrategies } from './strategy.js';
import { packageVersion } from './version.js';
import { payerColumn } from './waterfall/payers.js';
import { listStages, metricColumn } from './waterfall/stage.js';

const badOption = (flag: string, message: string) =>
  new BackstopInputError([{ path: flag, message }], 'invalid option');

/** `--out ''` names no directory: it would write into the current directory. */
function checkOutGiven(out: string | undefined): void {
  if (out === '')
    throw badOption(
      '--out',
      'is empty; give a directory (an empty path would write into the current directory)',
    );
  if (out !== undefined && out.trim() === '')
    throw badOption('--out', `is blank (${JSON.stringify(out)}); give a directory name`);
}

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

/** `--run-timeout`: seconds (> 0, at most a week) or `auto`. */
function runTimeoutOption(v: string): number | 'auto' {
  if (v.trim() === 'auto') return 'auto';
  const n = Number(v);
  if (!/^\d+(\.\d+)?$/.test(v.trim()) || !(n > 0 && n <= 604_800))
    throw badOption(
      '--run-timeout',
      `must be seconds from 0 to 604800 (a week), above 0, or auto (got ${JSON.stringify(v)})`,
    );
  return n;
}

/** A comma-separated list of names. */
function listOption(flag: string) {
  return (v: string): string[] => {
    const xs = v
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean);
    if (xs.length === 0)
      throw badOption(flag, `expected names separated by commas (got ${JSON.stringify(v)})`);
    return xs;
  };
}

/** A probability strictly between 0 and 1. */
function probabilityOption(flag: string) {
  return (v: string): number => {
    const p = Number(v);
    if (v.trim() === '' || !(p > 0 && p < 1))
      throw badOption(
        flag,
        `must be a number between 0 and 1 (exclusive), e.g. 0.9 (got ${JSON.stringify(v)})`,
      );
    return p;
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
    index = Number(raw);
    if (slurm !== undefined) {
      // --array=MIN-MAX:STEP numbers its tasks MIN, MIN+STEP, …
      for (const v of ['SLURM_ARRAY_TASK_MIN', 'SLURM_ARRAY_TASK_STEP'] as const)
        if (env[v] && !/^\d+$/.test(env[v]!))
          throw badOption('--shard', `${v}=${JSON.stringify(env[v])} is not a non-negative integer`);
      const min = Number(env.SLURM_ARRAY_TASK_MIN || 0);
      const step = Number(env.SLURM_ARRAY_TASK_STEP || 1) || 1;
      index = (index - min) / step;
      if (!Number.isInteger(index))
        throw badOption('--shard', `SLURM_ARRAY_TASK_ID ${raw} is not MIN + k·STEP (${min} + k·${step})`);
    }
  } else index = Number(m[1]);
  if (!(index >= 0 && index < count))
    throw badOption('--shard', `index must be 0..${count - 1} (got ${index})`);
  return { index, count };
}

/** Checks that `dir` is an existing directory holding at least one of `files`. */
function checkResultsDir(dir: string, files: string[], hint: string): string {
  const abs = resolve(dir);
  if (!existsSync(abs) || !statSync(abs).isDirectory())
    throw new BackstopInputError([{ path: dir, message: 'no such directory' }], 'invalid results directory');
  if (!files.some((f) => existsSync(join(abs, f))))
    throw new BackstopInputError(
      [{ path: dir, message: `holds no ${files.join(' or ')}; ${hint}` }],
      'invalid results directory',
    );
  return abs;
}

/** Checks that a file can be written at `file` (its directory exists or can be made; it is not a directory). */
function checkOutFile(file: string, flag = '--out'): string {
  const abs = resolve(file);
  if (existsSync(abs) && statSync(abs).isDirectory())
    throw badOption(flag, `${file} is a directory; give a file name`);
  checkOutDir(dirname(abs), flag);
  return abs;
}

/** Runs `analyze`, turning its input errors (an unknown --by column or --compare metric) into exit-2 errors. */
function analyzeDir(dir: string, opts: AnalyzeOptions): Analysis {
  try {
    return analyze(dir, opts);
  } catch (e) {
    const m = e instanceof Error ? e.message : String(e);
    if (/^--(by|compare|level|reference) /.test(m))
      throw new BackstopInputError(
        [{ path: m.slice(0, m.indexOf(':')), message: m.slice(m.indexOf(':') + 2) }],
        'invalid option',
      );
    throw e;
  }
}

/** The terminal summary of a game: per sweep point the equilibria, the mixed one and the venue's view. */
export function gameTable(f: EquilibriaFile): string {
  const eq = equilibriaTable(f);
  const pay = payoffTable(f);
  return `Equilibria\n${textTable([eq.head, ...eq.rows])}\nPayoffs (PnL − outside option per agent, USD)\n${textTable([pay.head, ...pay.rows])}\n`;
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
  force?: boolean;
  failuresOk?: boolean;
  runTimeout?: number | 'auto';
  progress?: 'auto' | 'lines' | 'none';
  quiet?: boolean;
  preset?: string;
  analyze?: boolean;
  report?: boolean;
  export?: ExportFormat;
}

function logExported(files: ExportedFile[]): void {
  for (const f of files)
    process.stderr.write(`export: ${f.from} → ${f.to} (${f.rows} rows, ${f.bytes} bytes)\n`);
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

function addRunOptions(cmd: Command, runsHelp = 'runs per sweep point'): Command {
  return cmd
    .option('--preset <name>', 'apply a named preset of the experiment (e.g. small)')
    .option('--runs <n>', runsHelp, intOption('--runs', 1, MAX_RUNS))
    .option('--seed <s>', 'master seed (unsigned 32-bit)', intOption('--seed', 0, 0xffffffff))
    .option('--set <path=value>', 'override a config field by its dotted path (repeatable)', collect);
}

/**
 * The options of a batch, `run`'s and `game`'s alike: workers, output, recording, shards, resume, stopping,
 * progress (the help says what a game's differ in).
 */
function addBatchOptions(cmd: Command, kind: 'batch' | 'game'): Command {
  const game = kind === 'game';
  const each = game ? " (every profile's runs)" : '';
  return cmd
    .option('--workers <n>', 'worker threads (default: one per core)', intOption('--workers', 1, 1024))
    .option('--out <dir>', 'output directory (default: results/<experiment>)')
    .option(
      '--series <k>',
      `record per-tick series every K ticks into series.arrow${each}`,
      intOption('--series', 1),
    )
    .option('--events', `record events into events.arrow${each}`)
    .option(
      '--shard <i/N>',
      game
        ? 'run shard i of N, i from 0 to N − 1 (or auto/N from the array-job index): its runs only, no equilibria; merge the shards for game.arrow and equilibria.json'
        : 'run shard i of N, i from 0 to N − 1 (or auto/N from the array-job index)',
    )
    .option('--resume', `keep the runs an interrupted ${kind} finished in --out and run only the rest`)
    .option('--fail-fast', 'stop at the first failed run')
    .option(
      '--force',
      'replace what --out holds of another plan (other experiment, preset, overrides, seed or runs); without it that exits 2',
    )
    .option(
      '--failures-ok',
      `exit 0 when the ${kind} completes with failed runs recorded (for array tasks whose merge reports them); without it that is exit 1`,
    )
    .option(
      '--run-timeout <s>',
      'wall-clock limit of one run in seconds, or auto: 10 × the median run once 8 have finished, at least 60 s (600 s before); a run past it is stopped and recorded as failed ("timed out")',
      runTimeoutOption,
    )
    .addOption(progressOption())
    .option(
      '--quiet',
      game ? 'no progress output and no summary table' : 'no progress output (as --progress none)',
    );
}

/** Builds the command-line program. */
export function program(): Command {
  const prog = new Command('backstop-sim')
    .description(
      'Agent-based Monte Carlo simulator of the liquidation waterfall of crypto-derivatives venues',
    )
    .version(packageVersion(), '-V, --version', 'print the version of backstop-sim')
    .showHelpAfterError('(run with --help for usage)')
    .option('--debug', 'print the stack trace of an internal error (as BACKSTOP_DEBUG=1 does)')
    .exitOverride();

  addBatchOptions(
    addRunOptions(
      prog
        .command('run')
        .description('run an experiment: runs.arrow, manifest.json (and series.arrow, events.arrow) in --out')
        .argument(
          '<experiment>',
          'path to a .ts/.js/.json experiment file, or a name in ./experiments/ or of a shipped experiment',
        ),
    ),
    'batch',
  )
    .option('--analyze', 'after the runs, print the analysis table (as `analyze <out>` does)')
    .option('--report', 'after the runs, write the report into <out>/report (as `report <out>` does)')
    .addOption(
      new Option(
        '--export <format>',
        'after the runs, write the result files also as Parquet or CSV into <out> (as `export <out>` does; replaces the exports of an earlier run there)',
      ).choices(EXPORT_FORMATS),
    )
    .exitOverride()
    .action(async (arg: string, f: RunFlags) => {
      checkOutGiven(f.out);
      if (f.shard !== undefined && (f.analyze || f.report))
        throw badOption(
          '--shard',
          '--analyze and --report need the whole batch: merge the shards, then analyze',
        );
      const shard = f.shard !== undefined ? parseShard(f.shard) : null;
      const file = findExperiment(arg);
      const spec = { file, overrides: overrides(f) };
      const resolved = await resolveExperiment(spec);
      const r = await runStoppable((o) => runBatch(spec, o), { resolved, ...batchOptions(f, shard) });
      if (!r) return;
      const share = shard ? ` (shard ${shard.index}/${shard.count})` : '';
      process.stderr.write(
        `${r.plan.name}${share}: ${r.ok} ok, ${r.failed} failed of ${r.totalRuns} runs (${r.ranRuns} run now, ${r.seconds.toFixed(1)} s) → ${r.out}\n`,
      );
      for (const x of r.failures.slice(0, 5))
        process.stderr.write(`  failed run ${x.run_id} (seed ${x.seed}): ${x.error}\n`);
      if (r.failed > 0 && !f.failuresOk) exitCode = 1;
      // files first, the table last: a reader that closes stdout early (`| head`) ends the command there
      if (f.report && r.ok > 0) {
        const rep = await report(r.out);
        process.stderr.write(`report: ${rep.figures.length} figures → ${rep.index}\n`);
      }
      if (f.export) {
        // the run has just rewritten the Arrow files in --out: their exports are rewritten with them
        const files = ['runs.arrow', 'series.arrow', 'events.arrow'];
        logExported(await exportResults(r.out, { format: f.export, force: true, files }));
      }
      if (f.analyze && r.ok > 0) process.stdout.write(renderAnalysis(analyze(r.out), 'table'));
    });

  addRunOptions(
    prog
      .command('validate')
      .description('check an experiment and print its resolved config and sweep (or every error)')
      .argument(
        '<experiment>',
        'path to a .ts/.js/.json experiment file, or a name in ./experiments/ or of a shipped experiment',
      ),
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
        ...(e.game ? { game: e.game } : {}),
        config: e.base,
      };
      process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
      process.stderr.write(`${e.name}: valid (${out.points} point(s) × ${e.runs} runs)\n`);
    });

  prog
    .command('list')
    .description(
      'list price models, strategies and waterfall stages with their parameters, defaults and units',
    )
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option(
      '--module <paths...>',
      'plug-in modules (strategies, price models, waterfall stages; .ts or .js files) to load and list with the built-in ones',
    )
    .exitOverride()
    .action(async (f: { format: string; module?: string[] }) => {
      if (f.module)
        await loadConfigModules({ strategies: f.module }, process.cwd()).catch((e: unknown) => {
          if (!(e instanceof BackstopInputError)) throw e;
          // the paths name the option, not a config field
          throw new BackstopInputError(
            e.issues.map((i) => ({ ...i, path: i.path.replace(/^strategies/, '--module') })),
            'cannot load module',
          );
        });
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
      const stages = listStages().map((s) => ({
        name: s.name,
        role: s.role,
        description: s.description,
        // a payer's who-paid column (runs.arrow) and its label in the report
        ...(s.pays !== undefined ? { pays: payerColumn(s.pays) } : {}),
        // the summary metrics it contributes (its reporters): built-in names, or columns of its own
        metrics: (s.metrics ?? []).map((m: MetricDecl) => (typeof m === 'string' ? m : metricColumn(m))),
        params: describeParams(s.params),
      }));
      if (f.format === 'json') {
        process.stdout.write(`${JSON.stringify({ priceModels: models, strategies, stages }, null, 2)}\n`);
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
      lines.push(
        '',
        'Waterfall stages (waterfall.stages[].stage; role: closes positions, pays shortfalls, or both; → the who-paid column of runs.arrow a payer books into):',
      );
      for (const s of stages) {
        lines.push(
          `  ${s.name} [${s.role}]${s.pays ? ` → ${s.pays.column}${s.pays.loss ? ' (counts in loss)' : ''}` : ''} — ${s.description}`,
        );
        if (s.metrics.length > 0)
          lines.push(
            `    metrics: ${s.metrics.map((m) => (typeof m === 'string' ? m : `${m.column} (its own: ${m.description})`)).join(', ')}`,
          );
        params(s.params);
      }
      process.stdout.write(`${lines.join('\n')}\n`);
    });

  prog
    .command('merge')
    .description('join shard output directories into what one machine would have written')
    .argument('<dirs...>', 'shard output directories (made by run --shard i/N or game --shard i/N)')
    .requiredOption('--out <dir>', 'output directory of the merged results')
    .option('--force', "replace what --out holds of another plan's results; without it that exits 2")
    .exitOverride()
    .action((dirs: string[], f: { out: string; force?: boolean }) => {
      // shards of a game batch: game.arrow and equilibria.json too
      const r = mergeGameShards(dirs, f.out, { force: f.force });
      process.stderr.write(
        `${r.plan.name}: merged ${dirs.length} shard(s): ${r.ok} ok, ${r.failed} failed of ${r.totalRuns} runs${r.equilibria ? ', with game.arrow and equilibria.json' : ''} → ${r.out}\n`,
      );
      if (r.plan.game && !r.equilibria)
        process.stderr.write('  every run of the game failed: no equilibria written\n');
      if (r.failed > 0) exitCode = 1;
    });

  prog
    .command('analyze')
    .description(
      'statistics of a results directory: per sweep point (or --by fields) means with 95% intervals, quantiles, ' +
        'probability of insolvency (Wilson), VaR/ES of the loss, each role against its outside option, and ' +
        'paired differences between points on common random numbers',
    )
    .argument('<dir>', 'a results directory (runs.arrow, manifest.json) written by run or merge')
    .option(
      '--by <fields>',
      'group by these comma-separated swept fields (others pooled) instead of by sweep point',
      listOption('--by'),
    )
    .addOption(
      new Option('--format <format>', 'table for people; csv, json or arrow for tools')
        .choices(['table', 'csv', 'json', 'arrow'])
        .default('table'),
    )
    .option(
      '--level <p>',
      'confidence level of every interval, between 0 and 1 (default 0.95)',
      probabilityOption('--level'),
    )
    .option(
      '--compare <metrics>',
      'metrics of the paired differences, comma-separated, or all (default: loss, shortfall, insurance_fund_min, vault_return, pnl_liquidators, pnl_lps)',
      listOption('--compare'),
    )
    .addOption(
      new Option('--reference <group>', 'compare each group with the first group or with the one before it')
        .choices(['first', 'previous'])
        .default('first'),
    )
    .option('--out <file>', 'write to this file instead of stdout (an existing file only with --force)')
    .option('--force', 'replace the --out file if it exists')
    .exitOverride()
    .action(
      (
        dirArg: string,
        f: {
          force?: boolean;
          by?: string[];
          format: AnalysisFormat;
          out?: string;
          level?: number;
          compare?: string[];
          reference: 'first' | 'previous';
        },
      ) => {
        const dir = checkResultsDir(
          dirArg,
          ['runs.arrow'],
          'run an experiment into it first (backstop-sim run)',
        );
        const out = f.out !== undefined ? checkOutFile(f.out) : undefined;
        // `--out DIR/runs.arrow` would destroy the results it was computed from
        if (out && existsSync(out) && !f.force)
          throw badOption('--out', `${f.out} exists; give another file, or --force to replace it`);
        if (f.format === 'arrow' && !out && process.stdout.isTTY)
          throw badOption('--format', 'arrow is binary: give --out FILE or pipe stdout');
        const compare = f.compare?.length === 1 && f.compare[0] === 'all' ? 'all' : f.compare;
        const data = renderAnalysis(
          analyzeDir(dir, { by: f.by, level: f.level, compare, reference: f.reference }),
          f.format,
        );
        if (out) {
          writeFileAtomic(out, data);
          process.stderr.write(`analysis (${f.format}) → ${out}\n`);
        } else process.stdout.write(data);
      },
    );

  addBatchOptions(
    addRunOptions(
      prog
        .command('game')
        .description(
          'empirical game of an experiment that declares one (its `game` section): simulates every strategy ' +
            'profile at every sweep point on common random numbers, as a batch on the runner of `run` (durable ' +
            "parts, --resume, --fail-fast, --shard); writes runs.arrow (every run, with the roles' strategies " +
            'and payoffs) and manifest.json, then game.arrow (payoffs, intervals, regrets) and equilibria.json ' +
            '(pure and mixed equilibria, venue outcomes, price of anarchy) to --out',
        )
        .argument(
          '<experiment>',
          'path to a .ts/.js/.json experiment file, or a name in ./experiments/ or of a shipped experiment',
        ),
      'runs per profile and sweep point',
    ),
    'game',
  )
    .exitOverride()
    .action(async (arg: string, f: RunFlags) => {
      checkOutGiven(f.out);
      const shard = f.shard !== undefined ? parseShard(f.shard) : null;
      const file = findExperiment(arg);
      const spec = gameSpec({ file, overrides: overrides(f) });
      const e = await resolveExperiment(spec);
      const r = await runStoppable((o) => runGameBatch(spec, o), { resolved: e, ...batchOptions(f, shard) });
      if (!r) return;
      if (r.equilibria && !f.quiet) process.stdout.write(gameTable(r.equilibria));
      const profiles = e.gameBatch!.profiles;
      const share = shard ? ` (shard ${shard.index}/${shard.count})` : '';
      process.stderr.write(
        `${e.name}: game of ${profiles} profile(s) × ${e.points.length / profiles} point(s) × ${e.runs} runs${share}: ${r.ok} ok, ${r.failed} failed (${r.ranRuns} run now, ${r.seconds.toFixed(1)} s) → ${r.out}\n`,
      );
      for (const x of r.failures.slice(0, 5))
        process.stderr.write(`  failed run ${x.run_id} (seed ${x.seed}): ${x.error}\n`);
      if (shard)
        process.stderr.write(
          '  a shard: merge the shards (backstop-sim merge DIR... --out DIR) for game.arrow and equilibria.json\n',
        );
      else if (!r.equilibria) process.stderr.write('  every run of the game failed: no equilibria written\n');
      if (r.failed > 0 && !f.failuresOk) exitCode = 1;
    });

  prog
    .command('export')
    .description(
      'write the Arrow result files of a results directory (runs, series, events, game.arrow, analysis.arrow: ' +
        'those present) as Parquet or CSV, for DuckDB, pandas, R and spreadsheets; units and descriptions go into ' +
        'the Parquet metadata; nothing is replaced without --force',
    )
    .argument('<dir>', 'a results directory written by run, merge or game')
    .addOption(
      new Option(
        '--format <format>',
        'parquet (typed, with units in its metadata) or csv',
      ).makeOptionMandatory(),
    )
    .option('--out <dir>', 'write the files here (default: <dir>), e.g. <dir>/runs.parquet')
    .option('--force', 'replace files already there')
    .exitOverride()
    .action(async (dirArg: string, f: { format: string; out?: string; force?: boolean }) => {
      if (!(EXPORT_FORMATS as readonly string[]).includes(f.format))
        throw badOption(
          '--format',
          `must be one of ${EXPORT_FORMATS.join(', ')} (got ${JSON.stringify(f.format)})`,
        );
      checkOutGiven(f.out);
      if (existsSync(dirArg) && statSync(dirArg).isDirectory())
        await checkResultsFiles(resolve(dirArg), { json: false });
      logExported(
        await exportResults(dirArg, { format: f.format as ExportFormat, out: f.out, force: f.force }),
      );
    });

  prog
    .command('report')
    .description(
      'write <dir>/report/: SVG figures (loss distribution and tail, metrics against swept fields, who paid, ' +
        'sample time series, the equilibrium map of a game) and an index.html with the summary tables; works offline',
    )
    .argument('<dir>', 'a results directory written by run/merge (runs.arrow) and/or game (equilibria.json)')
    .option('--out <dir>', 'write the report here (default: <dir>/report)')
    .option(
      '--sample-runs <n>',
      'sample runs drawn in the time-series figure (default 6)',
      intOption('--sample-runs', 1, 1000),
    )
    .exitOverride()
    .action(async (dirArg: string, f: { out?: string; sampleRuns?: number }) => {
      checkOutGiven(f.out);
      const dir = checkResultsDir(
        dirArg,
        ['runs.arrow', 'equilibria.json'],
        'run an experiment (backstop-sim run) or a game (backstop-sim game) into it first',
      );
      const out = resolve(f.out ?? join(dir, 'report'));
      checkOutDir(out);
      // a damaged input is refused before report/ is made
      await checkResultsFiles(dir);
      const r = await report(dir, { out, sampleRuns: f.sampleRuns });
      process.stderr.write(`report: ${r.figures.length} figures → ${r.index}\n`);
    });
  return prog;
}

let exitCode = 0;
/** A second SIGINT/SIGTERM quits at once only this long (ms) after the first (duplicates are ignored). */
const SECOND_SIGNAL_MS = 1000;
/** Exit code after a signal: 128 + its number (SIGINT 130, SIGTERM 143). */
const signalCode = (sig: NodeJS.Signals) => (sig === 'SIGINT' ? 130 : 143);

/**
 * SIGINT/SIGTERM while a batch runs: finish the runs in flight, keep them, exit non-zero (a second signal
 * a second or more after the first: at once). `signal` aborts with the signal's name; `dispose` removes the handlers.
 */
function stopOnSignals(): { signal: AbortSignal; dispose: () => void } {
  const stop = new AbortController();
  // a second signal quits at once, but not one within a second of the first: a cluster often delivers the
  // same stop twice (Slurm's scancel signals every process of the job, and the batch script forwards it)
  let firstAt = 0;
  // a bad BACKSTOP_STOP_GRACE_S is reported by the batch itself, before it starts
  let grace = 10;
  try {
    grace = stopGraceS();
  } catch {}
  const onSignal = (sig: NodeJS.Signals) => {
    if (stop.signal.aborted) {
      if (performance.now() - firstAt >= SECOND_SIGNAL_MS) {
        process.stderr.write(
          `backstop-sim: ${sig} again: quitting now; the runs in flight are lost (--resume runs them again)\n`,
        );
        process.exit(signalCode(sig));
      }
      return;
    }
    firstAt = performance.now();
    // on a terminal the progress bar holds the line: start a new one
    const nl = process.stderr.isTTY ? '\n' : '';
    process.stderr.write(
      `${nl}backstop-sim: ${sig}: stopping after the runs in flight, which get ${grace} s (the same signal again, a second or more later, quits now)\n`,
    );
    stop.abort(sig);
  };
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  return {
    signal: stop.signal,
    dispose: () => {
      process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    },
  };
}

/** `--progress`: a bar on a terminal (auto), lines every 5 s (for a log), or nothing. */
function progressOption(): Option {
  return new Option(
    '--progress <mode>',
    'auto: a bar redrawn in place when stderr is a terminal, nothing otherwise; lines: a line every 5 s (for logs); none',
  )
    .choices(['auto', 'lines', 'none'])
    .default('auto');
}

function progressMode(f: RunFlags): ProgressMode {
  if (f.quiet || f.progress === 'none') return 'none';
  if (f.progress === 'lines') return 'lines';
  return process.stderr.isTTY ? 'tty' : 'none';
}

/** The batch options the flags of `run` and `game` give. */
function batchOptions(f: RunFlags, shard: Shard | null): BatchOptions {
  return {
    out: f.out,
    workers: f.workers,
    shard,
    resume: f.resume,
    failFast: f.failFast,
    force: f.force,
    runTimeout: f.runTimeout,
    progress: progressMode(f),
  };
}

/**
 * Runs a batch that SIGINT/SIGTERM stop after the runs in flight ({@link stopOnSignals}). Returns its result,
 * or null with the exit code set when it did not finish: a signal (130/143) or `--fail-fast` (1).
 */
async function runStoppable<R extends BatchResult>(
  batch: (opts: BatchOptions) => Promise<R>,
  opts: BatchOptions,
): Promise<R | null> {
  const stop = stopOnSignals();
  const r = await batch({ ...opts, signal: stop.signal }).finally(async () => {
    // a signal that came during the (synchronous) assembly is delivered on the next turn of the event
    // loop: wait for it before letting go of the handlers, or it would be dropped
    await new Promise((r) => setTimeout(r, 20));
    stop.dispose();
  });
  if (r.interrupted) exitCode = signalCode(stop.signal.reason as NodeJS.Signals);
  else if (stop.signal.aborted && !r.stopped) {
    // the signal came while the results were being assembled (the process could not stop then): they are
    // complete, but the process was told to stop, and says so in its exit code
    process.stderr.write(
      `backstop-sim: ${String(stop.signal.reason)} arrived while the results were written; they are complete in ${r.out}\n`,
    );
    exitCode = signalCode(stop.signal.reason as NodeJS.Signals);
    return null;
  } else if (r.stopped) exitCode = 1;
  return r.interrupted || r.stopped ? null : r;
}

function errorLine(e: unknown): string {
  try {
    const m = e instanceof Error ? `${e.name === 'Error' ? '' : `${e.name}: `}${e.message}` : String(e);
    return m.split('\n')[0] || '(no message)';
  } catch {
    return '(an error that cannot be printed)';
  }
}

function errorStack(e: unknown): string {
  try {
    return e instanceof Error ? (e.stack ?? e.message) : String(e);
  } catch {
    return '(an error that cannot be printed)';
  }
}

/**
 * Runs the command line and returns the exit code: 2 for bad input (a {@link BackstopInputError} or a
 * rejected option), 1 for failed runs, an output that could not be written or an internal error (one line;
 * its stack with `--debug` or BACKSTOP_DEBUG=1).
 */
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
    // anything else is a bug of backstop-sim: one line, the stack on request
    const debug =
      argv.slice(2).includes('--debug') || /^(1|true|yes)$/i.test(process.env.BACKSTOP_DEBUG ?? '');
    if (debug) process.stderr.write(`backstop-sim: internal error: ${errorStack(e)}\n`);
    else
      process.stderr.write(
        `backstop-sim: internal error: ${errorLine(e)} (run with --debug or BACKSTOP_DEBUG=1 for the stack)\n`,
      );
    return 1;
  }
}
