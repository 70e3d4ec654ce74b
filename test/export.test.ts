/**
 * `backstop-sim export` and the field metadata of the result files: a small sweep (with series, events and
 * failed runs) exported to Parquet and CSV; DuckDB (npm, offline) reads the Parquet and its mean loss per
 * sweep point equals `analyze`'s; the CSV parses back to the Arrow values exactly; units are in the Arrow
 * field metadata and the Parquet key-value metadata; the README's DuckDB snippets run as written; bad input
 * exits 2 with nothing written.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { tableFromIPC as flechetteRead } from '@uwdata/flechette';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../src/index.js'; // registers the built-in price models, stages and strategies
import { analyze } from '../src/analysis/analyze.js';
import { arrowFileBytes } from '../src/analysis/arrow-io.js';
import { csvField, exportResults } from '../src/export.js';
import { configFieldMeta, unitOfDescription } from '../src/field-meta.js';
import { fieldMeta } from '../src/metrics.js';
import { cli, FIX, ROOT, tmp } from './cli-helpers.js';

const SWEEP = join(FIX, 'sweep.json');
const FAILING = join(FIX, 'failing.experiment.ts');
const FILES = ['runs', 'series', 'events'];

/** RFC 4180 parser: rows of fields, with `quoted` telling an empty quoted field from an empty one. */
function parseCsv(text: string): { value: string; quoted: boolean }[][] {
  const rows: { value: string; quoted: boolean }[][] = [];
  let row: { value: string; quoted: boolean }[] = [];
  let i = 0;
  while (i < text.length) {
    let value = '';
    let quoted = false;
    if (text[i] === '"') {
      quoted = true;
      i++;
      for (;;) {
        if (text[i] === '"' && text[i + 1] === '"') {
          value += '"';
          i += 2;
        } else if (text[i] === '"') {
          i++;
          break;
        } else if (i >= text.length) throw new Error('unterminated quote');
        else value += text[i++];
      }
    } else {
      let k = i;
      while (k < text.length && text.charCodeAt(k) !== 44 && text.charCodeAt(k) !== 10) k++;
      value = text.slice(i, k);
      i = k;
    }
    row.push({ value, quoted });
    if (text[i] === ',') i++;
    else {
      rows.push(row);
      row = [];
      i++;
    }
  }
  return rows;
}

async function duck() {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  return {
    all: async (sql: string) => (await c.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[],
    close: () => {
      c.closeSync();
      db.closeSync();
    },
  };
}

/** The ```sql blocks of the README section "Reading the results elsewhere". */
function readmeSql(): string[] {
  const md = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = md.indexOf('## Reading the results elsewhere');
  const end = md.indexOf('\n## ', start + 10);
  const section = md.slice(start, end);
  return [...section.matchAll(/```sql\n([\s\S]*?)```/g)].map((m) => m[1]);
}

const listing = (dir: string) =>
  readdirSync(dir)
    .sort()
    .map((f) => `${f}:${statSync(join(dir, f)).size}:${statSync(join(dir, f)).mtimeMs}`);

describe('export', () => {
  const dir = tmp('backstop-export-');
  const failing = tmp('backstop-export-failing-');
  let db: Awaited<ReturnType<typeof duck>>;

  beforeAll(async () => {
    // `run --export parquet` exports right after the runs
    const r = cli([
      'run',
      SWEEP,
      '--out',
      dir,
      '--series',
      '30',
      '--events',
      '--quiet',
      '--export',
      'parquet',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const a = cli(['analyze', dir, '--format', 'arrow', '--out', join(dir, 'analysis.arrow')]);
    expect(a.code, a.stderr).toBe(0);
    const f = cli(['run', FAILING, '--out', failing, '--quiet', '--workers', '1']);
    expect(f.code).toBe(1); // some runs fail: their metrics are null, their errors strings
    db = await duck();
  }, 120_000);
  afterAll(() => db?.close());

  it('run --export wrote runs/series/events.parquet next to the Arrow files', () => {
    for (const f of FILES) expect(existsSync(join(dir, `${f}.parquet`)), f).toBe(true);
    expect(existsSync(join(dir, 'analysis.parquet'))).toBe(false); // run exports its own files only
  });

  it("DuckDB's avg(loss) per point equals analyze's estimate to 1e-12", async () => {
    const rows = await db.all(
      `SELECT point_id, avg(loss) AS loss, count(*) AS n FROM '${dir}/runs.parquet' GROUP BY point_id ORDER BY point_id`,
    );
    const a = analyze(dir);
    expect(rows).toHaveLength(a.groups.length);
    expect(a.groups.length).toBe(4);
    for (const g of a.groups) {
      const row = rows.find((r) => r.point_id === g.points[0])!;
      const est = g.metrics.loss.estimate;
      expect(est).toBeGreaterThan(0);
      expect(Math.abs((row.loss as number) - est)).toBeLessThanOrEqual(1e-12 * Math.abs(est));
      expect(Number(row.n)).toBe(g.runs);
    }
  });

  it('DuckDB reads every column with its type and the same values as the Arrow file', async () => {
    for (const f of FILES) {
      const t = tableFromIPC(readFileSync(join(dir, `${f}.arrow`)));
      const rows = await db.all(`SELECT * FROM '${dir}/${f}.parquet'`);
      expect(rows.length, f).toBe(t.numRows);
      const desc = await db.all(`DESCRIBE SELECT * FROM '${dir}/${f}.parquet'`);
      expect(desc.map((d) => d.column_name)).toEqual(t.schema.fields.map((x) => x.name));
      for (const field of t.schema.fields) {
        const col = t.getChild(field.name)!;
        const type = desc.find((d) => d.column_name === field.name)!.column_type;
        expect(type, `${f}.${field.name}`).toBe(
          String(field.type) === 'Int32'
            ? 'INTEGER'
            : String(field.type) === 'Float64'
              ? 'DOUBLE'
              : 'VARCHAR',
        );
        for (let i = 0; i < t.numRows; i += Math.max(1, Math.floor(t.numRows / 500))) {
          const want = col.get(i);
          const got = rows[i][field.name];
          if (typeof want === 'number') expect(Object.is(got, want), `${f}.${field.name}[${i}]`).toBe(true);
          else expect(got, `${f}.${field.name}[${i}]`).toEqual(want);
        }
      }
    }
  });

  it('events keep NaN and +Infinity through Parquet', async () => {
    const [r] = await db.all(
      `SELECT count(*) FILTER (WHERE isnan(position)) AS nan, count(*) FILTER (WHERE isinf(leverage)) AS inf FROM '${dir}/events.parquet'`,
    );
    expect(Number(r.nan)).toBeGreaterThan(0);
    expect(Number(r.inf)).toBeGreaterThan(0);
  });

  it('units and descriptions are in the Arrow field metadata of every file written', () => {
    // swept fields are described as in the experiment's config (the strategy or stage used there)
    const config = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')).config;
    for (const f of FILES) {
      const t = tableFromIPC(readFileSync(join(dir, `${f}.arrow`)));
      const table = f as 'runs' | 'series' | 'events';
      expect(t.schema.metadata.get('backstop-sim:table')).toBe(f);
      expect(t.schema.metadata.get('backstop-sim:experiment')).toBe('tiny-sweep');
      for (const field of t.schema.fields) {
        const m = fieldMeta(field.name, table) ?? configFieldMeta(field.name, config);
        expect(m, `${f}.${field.name} has metadata`).toBeDefined();
        expect(field.metadata.get('description')).toBe(m!.description);
        expect(field.metadata.get('label')).toBe(m!.label);
        if (m!.unit) expect(field.metadata.get('unit')).toBe(m!.unit);
      }
    }
    const runs = tableFromIPC(readFileSync(join(dir, 'runs.arrow'))).schema;
    const meta = (n: string) => runs.fields.find((x) => x.name === n)!.metadata;
    expect(meta('loss').get('unit')).toBe('USD');
    expect(meta('loss').get('min')).toBe('0');
    expect(meta('vault_max_drawdown').get('max')).toBe('1');
    expect(meta('liquidations').get('unit')).toBe('count');
    // a swept field: the description of its schema
    expect(meta('venue.liquidationFee').get('description')).toMatch(/liquidation fee/);
    expect(meta('agents.traders.mix[1].params.leverage').get('description')).toMatch(/leverage/);
    const series = tableFromIPC(readFileSync(join(dir, 'series.arrow'))).schema;
    expect(series.fields.find((x) => x.name === 'depth')!.metadata.get('unit')).toBe('USD per 1%');
    // analyze --format arrow
    const an = tableFromIPC(readFileSync(join(dir, 'analysis.arrow'))).schema;
    expect(an.fields.find((x) => x.name === 'n')!.metadata.get('unit')).toBe('count');
    expect(an.fields.find((x) => x.name === 'venue.liquidationFee')!.metadata.get('description')).toMatch(
      /liquidation fee/,
    );
  });

  it('swept config fields get their schema description and unit', () => {
    expect(configFieldMeta('market.index.sigma')).toMatchObject({ unit: '1/sqrt(year)' });
    expect(configFieldMeta('market.index.sigma')!.description).toMatch(/volatility/);
    expect(configFieldMeta('dtSeconds')).toMatchObject({ unit: 'seconds' });
    expect(configFieldMeta('market.liquidity.depthUsd')).toMatchObject({ unit: 'USD' });
    expect(configFieldMeta('market.shocks[0].change')).toMatchObject({ unit: 'fraction' });
    expect(configFieldMeta('no.such.field')).toBeUndefined();
    expect(unitOfDescription('agents in this role (at most 10,000,000)')).toBe('');
  });

  it('every schema written round-trips through apache-arrow and flechette, metadata included', () => {
    const bytes = arrowFileBytes(
      [
        { name: 'market.index.sigma', type: 'f64', values: [0.6, 1.2, null] },
        { name: 'profile', type: 'utf8', values: ['a', null, 'c'] },
        { name: 'payoff', type: 'f64', values: [1, -2, Number.NaN] },
        { name: 'regret', type: 'f64', values: [0, 0, 3] },
        { name: 'equilibrium', type: 'i32', values: [1, 0, 0] },
        { name: 'unknown_column', type: 'i32', values: [1, 2, 3] },
      ],
      new Map([['backstop-sim:table', 'game']]),
    );
    const t = tableFromIPC(bytes);
    expect(t.getChild('payoff')!.toArray()[1]).toBe(-2);
    expect(t.getChild('regret')!.get(2)).toBe(3);
    expect(t.getChild('profile')!.get(2)).toBe('c');
    expect(t.schema.fields.find((f) => f.name === 'payoff')!.metadata.get('unit')).toBe('USD');
    expect(t.schema.fields.find((f) => f.name === 'unknown_column')!.metadata.size).toBe(0);
    expect(t.schema.metadata.get('backstop-sim:table')).toBe('game');
    for (const f of [...FILES.map((x) => join(dir, `${x}.arrow`)), join(dir, 'analysis.arrow')]) {
      const a = tableFromIPC(readFileSync(f));
      const b = flechetteRead(readFileSync(f));
      expect(b.numRows, f).toBe(a.numRows);
      for (const field of a.schema.fields) {
        const x = a.getChild(field.name)!;
        const y = b.getChild(field.name)!;
        for (let i = 0; i < a.numRows; i += Math.max(1, Math.floor(a.numRows / 200))) {
          const u = x.get(i);
          const v = y.at(i);
          expect(typeof u === 'number' ? Object.is(u, v) : u === v, `${f} ${field.name}[${i}]`).toBe(true);
        }
      }
    }
  });

  it('Parquet carries the units in its key-value metadata (read by DuckDB), and the Arrow schema', async () => {
    for (const f of FILES) {
      const kv = await db.all(
        `SELECT decode(key) AS k, decode(value) AS v FROM parquet_kv_metadata('${dir}/${f}.parquet')`,
      );
      const get = (k: string) => kv.find((r) => r.k === k)?.v as string | undefined;
      const fields = JSON.parse(get('backstop-sim:fields')!);
      const t = tableFromIPC(readFileSync(join(dir, `${f}.arrow`)));
      for (const field of t.schema.fields)
        for (const [k, v] of field.metadata)
          expect(String(fields[field.name][k]), `${f}.${field.name}.${k}`).toBe(v);
      expect(get('backstop-sim:table')).toBe(f);
      expect(get('ARROW:schema')!.length).toBeGreaterThan(100);
      // ARROW:schema decodes to the Arrow schema with its field metadata
      const schemaBytes = Buffer.from(get('ARROW:schema')!, 'base64');
      const eos = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);
      const back = tableFromIPC(Buffer.concat([schemaBytes, eos])).schema;
      expect(back.fields.map((x) => x.name)).toEqual(t.schema.fields.map((x) => x.name));
      expect(back.fields[0].metadata.get('description')).toBe(t.schema.fields[0].metadata.get('description'));
    }
    const [u] = await db.all(
      `SELECT json_extract_string(decode(value), '$.loss.unit') AS unit FROM parquet_kv_metadata('${dir}/runs.parquet') WHERE decode(key) = 'backstop-sim:fields'`,
    );
    expect(u.unit).toBe('USD');
  });

  it('CSV parses back to the Arrow values exactly, every column, nulls included', async () => {
    const out = tmp('backstop-export-csv-');
    const files = await exportResults(failing, { format: 'csv', out });
    expect(files.map((f) => f.to)).toEqual([join(out, 'runs.csv')]);
    const r2 = await exportResults(dir, { format: 'csv', out: join(out, 'sweep') });
    expect(r2).toHaveLength(4); // runs, series, events, analysis
    const check = (arrow: string, csv: string) => {
      const t = tableFromIPC(readFileSync(arrow));
      const rows = parseCsv(readFileSync(csv, 'utf8'));
      expect(rows[0].map((c) => c.value)).toEqual(t.schema.fields.map((f) => f.name));
      expect(rows.length - 1, csv).toBe(t.numRows);
      let nulls = 0;
      const wrong: string[] = [];
      for (const field of t.schema.fields) {
        const col = t.getChild(field.name)!;
        const j = t.schema.fields.indexOf(field);
        const numeric = String(field.type) !== 'Utf8';
        const raw = numeric ? (col.toArray() as ArrayLike<number>) : null;
        for (let i = 0; i < t.numRows; i++) {
          const cell = rows[i + 1][j];
          const want = raw && col.isValid(i) ? raw[i] : col.get(i);
          const ok =
            want === null
              ? cell.value === '' && !cell.quoted
              : numeric
                ? Object.is(Number(cell.value), want)
                : cell.value === want;
          if (want === null) nulls++;
          if (!ok && wrong.length < 10)
            wrong.push(`${field.name}[${i}]: ${JSON.stringify(cell)} for ${want}`);
        }
      }
      expect(wrong, csv).toEqual([]);
      return nulls;
    };
    // failed runs: null metrics and error messages (with commas and quotes: quoted)
    expect(check(join(failing, 'runs.arrow'), join(out, 'runs.csv'))).toBeGreaterThan(0);
    for (const f of [...FILES, 'analysis']) check(join(dir, `${f}.arrow`), join(out, 'sweep', `${f}.csv`));
    // DuckDB's CSV reader gives the same means
    const a = await db.all(
      `SELECT point_id, avg(loss) AS l FROM read_csv('${out}/sweep/runs.csv') GROUP BY point_id ORDER BY point_id`,
    );
    const b = await db.all(
      `SELECT point_id, avg(loss) AS l FROM '${dir}/runs.parquet' GROUP BY point_id ORDER BY point_id`,
    );
    expect(a.map((r) => r.l)).toEqual(b.map((r) => r.l));
  });

  it('CSV fields: RFC 4180 quoting, shortest round-trip numbers, -0, NaN, Infinity', () => {
    expect(csvField(0.1)).toBe('0.1');
    expect(csvField(-0)).toBe('-0');
    expect(csvField(Number.NaN)).toBe('NaN');
    expect(csvField(Number.NEGATIVE_INFINITY)).toBe('-Infinity');
    expect(csvField(null)).toBe('');
    expect(csvField('')).toBe('""');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(' pad')).toBe('" pad"');
    for (const x of [1 / 3, 5e-324, 1.7976931348623157e308, 2 ** 53 + 2, -123.456e-7])
      expect(Number(csvField(x))).toBe(x);
  });

  it('the same Arrow files give byte-identical Parquet', async () => {
    const a = tmp();
    const b = tmp();
    await exportResults(dir, { format: 'parquet', out: a });
    await exportResults(dir, { format: 'parquet', out: b });
    for (const f of [...FILES, 'analysis'])
      expect(readFileSync(join(a, `${f}.parquet`)).equals(readFileSync(join(b, `${f}.parquet`))), f).toBe(
        true,
      );
    // and the same bytes as run --export wrote
    for (const f of FILES)
      expect(readFileSync(join(a, `${f}.parquet`)).equals(readFileSync(join(dir, `${f}.parquet`))), f).toBe(
        true,
      );
  });

  it("the README's DuckDB snippets run as written on an exported run", async () => {
    const snippets = readmeSql();
    expect(snippets.length).toBeGreaterThanOrEqual(4);
    const csv = tmp();
    await exportResults(dir, { format: 'csv', out: csv, files: ['runs.arrow'] });
    for (const sql of snippets) {
      const q = sql
        .replaceAll("'results/baseline/runs.csv'", `'${csv}/runs.csv'`)
        .replaceAll('results/baseline/', `${dir}/`);
      const rows = await db.all(q);
      expect(rows.length, sql).toBeGreaterThan(0);
    }
    // the units query gives loss's unit
    const units = await db.all(
      snippets.find((s) => s.includes('parquet_kv_metadata'))!.replaceAll('results/baseline/', `${dir}/`),
    );
    expect(units.find((r) => r.column_name === 'loss')?.unit).toBe('USD');
  });

  it('replaces nothing without --force; --force replaces', () => {
    const out = tmp();
    writeFileSync(join(out, 'series.csv'), 'mine\n');
    const before = listing(out);
    const r = cli(['export', dir, '--format', 'csv', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/series\.csv already exists; .*--force/);
    expect(listing(out)).toEqual(before); // nothing written, not even the files that were not there
    expect(readFileSync(join(out, 'series.csv'), 'utf8')).toBe('mine\n');
    const f = cli(['export', dir, '--format', 'csv', '--out', out, '--force']);
    expect(f.code, f.stderr).toBe(0);
    expect(readFileSync(join(out, 'series.csv'), 'utf8')).toMatch(/^run_id,tick,index,/);
    expect(readdirSync(out).sort()).toEqual(['analysis.csv', 'events.csv', 'runs.csv', 'series.csv']);
  });

  it('bad input exits 2, names the field and what is allowed, and writes nothing', () => {
    const empty = tmp();
    mkdirSync(join(empty, 'sub'));
    const before = listing(dir);
    const out = join(tmp(), 'new-out');
    const cases: [string[], RegExp][] = [
      [['export', join(empty, 'nope'), '--format', 'parquet'], /nope: no such directory/],
      [['export', empty, '--format', 'parquet'], /holds none of runs\.arrow, series\.arrow/],
      [
        ['export', dir, '--format', 'xlsx', '--out', out],
        /--format.*'xlsx' is invalid. Allowed choices are parquet, csv|--format: must be one of parquet, csv/,
      ],
      [['export', dir, '--out', out], /required option '--format <format>' not specified/],
      [
        ['export', dir, '--format', 'parquet', '--out', join(dir, 'runs.arrow', 'x')],
        /--out .*is a file, not a directory|exists and is not a directory/,
      ],
      [
        ['run', SWEEP, '--out', out, '--export', 'json'],
        /--export.*'json' is invalid. Allowed choices are parquet, csv/,
      ],
    ];
    for (const [args, msg] of cases) {
      const r = cli(args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(msg);
    }
    expect(listing(dir)).toEqual(before);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(empty)).toEqual(['sub']);
    // a file that is not Arrow: exit 2 before anything is written, the good files included
    const broken = tmp();
    writeFileSync(join(broken, 'runs.arrow'), readFileSync(join(dir, 'runs.arrow')));
    writeFileSync(join(broken, 'series.arrow'), 'not arrow at all');
    const r = cli(['export', broken, '--format', 'parquet']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/series\.arrow: is not a readable Arrow IPC file/);
    expect(readdirSync(broken).sort()).toEqual(['runs.arrow', 'series.arrow']);
  });
});
