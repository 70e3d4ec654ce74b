/**
 * `npm run docs:experiments`: regenerates the figures of experiments/README.md and README.md. For each
 * experiment (scripts/docs/experiments/<name>.ts) it runs the command its full figures name through the
 * runner (results in results/docs/<name>/), and its small-preset command in-process, and writes the blocks
 * between `<!-- generated:ID -->` and `<!-- /generated -->`; the text outside the markers is left as it is.
 *
 *   npm run docs:experiments                          # everything (a few minutes on 2 cores)
 *   npm run docs:experiments -- --small-only          # only the small-preset blocks (seconds)
 *   npm run docs:experiments -- --only black-thursday # one experiment (its blocks and summary row)
 *   npm run docs:experiments -- --check               # exit 1, with a diff, when the committed text differs
 *   npm run docs:experiments -- --workers 2           # runner threads for the full figures (default: one per core)
 *
 * Exit codes: 0 done (or, with --check, up to date), 1 the committed text differs (--check), 2 bad options.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { collectWithRunner } from './docs/collect.js';
import type { ExperimentDocs } from './docs/define.js';
import { DOCS } from './docs/experiments/index.js';
import { lineDiff, readBlocks, replaceBlocks } from './docs/markers.js';
import {
  docsPath,
  EXPERIMENTS_README,
  fullId,
  README,
  readDocs,
  SUMMARY,
  smallBlock,
  summaryRow,
  summaryTable,
} from './docs/render.js';

const USAGE =
  'usage: npm run docs:experiments -- [--only NAME] [--small-only] [--check] [--workers N]\n' +
  `experiments: ${DOCS.map((d) => d.name).join(', ')}\n`;

function options() {
  try {
    const { values } = parseArgs({
      strict: true,
      options: {
        only: { type: 'string', multiple: true },
        'small-only': { type: 'boolean', default: false },
        check: { type: 'boolean', default: false },
        workers: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) {
      process.stdout.write(USAGE);
      process.exit(0);
    }
    const names = values.only ?? DOCS.map((d) => d.name);
    const unknown = names.filter((n) => !DOCS.some((d) => d.name === n));
    if (unknown.length) throw new Error(`--only: no generated docs for ${unknown.join(', ')}`);
    let workers: number | undefined;
    if (values.workers !== undefined) {
      workers = Number(values.workers);
      if (!(Number.isInteger(workers) && workers >= 1))
        throw new Error(`--workers ${values.workers}: give a positive integer`);
    }
    return {
      docs: DOCS.filter((d) => names.includes(d.name)),
      smallOnly: values['small-only'],
      check: values.check,
      workers,
    };
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n${USAGE}`);
    process.exit(2);
  }
}

const log = (s: string) => process.stderr.write(`${s}\n`);
const secs = (t0: number) => `${((performance.now() - t0) / 1000).toFixed(1)} s`;

async function main(): Promise<number> {
  const o = options();
  const t0 = performance.now();
  /** New text of each block, per file. */
  const blocks = { [EXPERIMENTS_README]: new Map<string, string>(), [README]: new Map<string, string>() };
  const rows = new Map<string, string[]>();
  for (const d of o.docs) {
    const t = performance.now();
    const s = await smallBlock(d);
    blocks[EXPERIMENTS_README].set(s.id, s.text);
    log(`${d.name}: small preset (${s.data.command}, in-process) ${secs(t)}`);
    if (o.smallOnly) continue;
    await full(d, blocks, rows, o.workers);
  }
  const texts = { [EXPERIMENTS_README]: readDocs(EXPERIMENTS_README), [README]: readDocs(README) };
  if (!o.smallOnly)
    blocks[EXPERIMENTS_README].set(SUMMARY, summaryTable(DOCS, rows, texts[EXPERIMENTS_README]));

  let differs = 0;
  for (const file of [EXPERIMENTS_README, README] as const) {
    const before = texts[file];
    const after = replaceBlocks(before, blocks[file], file);
    if (after === before) continue;
    const old = readBlocks(before, file);
    for (const [id, text] of blocks[file]) {
      const was = old.get(id)!.content;
      if (was === text) continue;
      differs++;
      log(`${o.check ? 'differs' : 'updated'}: ${file} block ${id}`);
      if (o.check) log(lineDiff(was, text));
    }
    if (!o.check) writeFileSync(docsPath(file), after);
  }
  log(
    `${o.check ? 'checked' : 'generated'} ${o.docs.length} experiment(s)${o.smallOnly ? ', small presets only' : ''} in ${secs(t0)}`,
  );
  if (o.check && differs) {
    log(
      `${differs} block(s) differ from what the code produces: run npm run docs:experiments${o.smallOnly ? ' -- --small-only' : ''} and commit`,
    );
    return 1;
  }
  if (!o.check && differs === 0) log('no change');
  return 0;
}

/** Runs an experiment's full command through the runner and renders its full block, summary row and README blocks. */
async function full(
  d: ExperimentDocs,
  blocks: Record<string, Map<string, string>>,
  rows: Map<string, string[]>,
  workers: number | undefined,
): Promise<void> {
  const t = performance.now();
  const out = join(docsPath('results'), 'docs', d.name);
  mkdirSync(out, { recursive: true });
  const data = await collectWithRunner(d.name, d.full, { out, workers, eventKinds: d.eventKinds });
  blocks[EXPERIMENTS_README].set(fullId(d.name), d.fullBlock(data));
  rows.set(d.name, summaryRow(d, data));
  for (const [id, f] of Object.entries(d.readme ?? {})) blocks[README].set(id, f(data));
  log(`${d.name}: full figures (${data.command}, runner → ${out}) ${secs(t)}`);
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 2;
  },
);
