/**
 * From results to blocks: the ids and texts of every generated block of experiments/README.md and README.md,
 * and the files with those blocks replaced. Used by the docs script and by test/docs-figures.test.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/experiment/resolve.js';
import { collectInProcess, type DocData } from './collect.js';
import type { ExperimentDocs } from './define.js';
import { table } from './format.js';
import { readBlocks } from './markers.js';

/** The files with generated blocks, relative to the repository root. */
export const EXPERIMENTS_README = 'experiments/README.md';
export const README = 'README.md';

/** Path of a docs file in this repository. */
export function docsPath(file: string): string {
  return join(packageRoot(), file);
}

/** Id of the summary table's block in experiments/README.md. */
export const SUMMARY = 'summary';
/** Id of an experiment's small-preset block. */
export const smallId = (name: string) => `${name}:small`;
/** Id of an experiment's full block. */
export const fullId = (name: string) => `${name}:full`;

/** Runs an experiment's small-preset command in-process and renders its block. */
export async function smallBlock(d: ExperimentDocs): Promise<{ id: string; text: string; data: DocData }> {
  const data = await collectInProcess(d.name, d.small);
  return { id: smallId(d.name), text: d.smallBlock(data), data };
}

/** A row of the summary table. */
export function summaryRow(d: ExperimentDocs, full: DocData): string[] {
  return [d.name, d.question, d.published, d.ours(full)];
}

const SUMMARY_HEADER = ['experiment', 'question', 'published', 'ours'];

/** The committed rows of the summary table, by experiment. */
export function committedSummary(text: string): Map<string, string[]> {
  const b = readBlocks(text, EXPERIMENTS_README).get(SUMMARY);
  const rows = new Map<string, string[]>();
  if (!b) return rows;
  for (const line of b.content.split('\n').slice(2)) {
    const cells = line.replace(/^\| /, '').replace(/ \|$/, '').split(' | ');
    if (cells.length === SUMMARY_HEADER.length) rows.set(cells[0], cells);
  }
  return rows;
}

/**
 * The summary table: for each experiment the new row when it was regenerated (`fresh`), else the committed
 * one. Throws when an experiment has neither (regenerate without --only/--small-only first).
 */
export function summaryTable(all: ExperimentDocs[], fresh: Map<string, string[]>, text: string): string {
  const old = committedSummary(text);
  const rows = all.map((d) => {
    const r = fresh.get(d.name) ?? old.get(d.name);
    if (!r) throw new Error(`docs: no summary row for ${d.name} yet: regenerate its full figures`);
    return r;
  });
  return table(SUMMARY_HEADER, rows);
}

/** Reads a docs file. */
export function readDocs(file: string): string {
  return readFileSync(docsPath(file), 'utf8');
}
