/**
 * `backstop-sim export`: the Arrow IPC result files of a results directory as Parquet or CSV, for tools
 * that read no Arrow IPC (DuckDB without extensions, pandas without pyarrow, R, spreadsheets).
 *
 * The files are read record batch by record batch from disk (never whole), so memory holds one Parquet
 * row group ({@link ROW_GROUP_ROWS} rows, as JavaScript arrays) or one Arrow batch for CSV, plus the
 * Parquet footer (a few hundred bytes per row group and column). Everything is checked before anything is
 * written; each file is written under a temporary name and renamed only when all are written, so a failed
 * export leaves no partial file, and a file already there is replaced only with `force`.
 *
 * Parquet (written with hyparquet-writer, SNAPPY): Int32 → INT32, Float64 → DOUBLE (NaN and ±Infinity
 * kept), Utf8 → STRING, Bool → BOOLEAN; nullable Arrow fields are OPTIONAL, the others REQUIRED. The key-value
 * metadata holds `backstop-sim:fields` (JSON: column → { label, unit, description, min?, max? }, the Arrow
 * field metadata), the Arrow schema metadata (`backstop-sim:version`, `…:experiment`, `…:table`) and
 * `ARROW:schema` (the Arrow schema, field metadata included, as Arrow readers such as pyarrow and polars
 * expect it). The bytes depend only on the Arrow file: no time or machine in them.
 *
 * CSV: a header row of the column names, then one line per row, `\n` line ends, RFC 4180 quoting (a
 * field with a comma, quote, CR or LF, or that is empty or has leading or trailing spaces is quoted, quotes
 * doubled). Numbers are JavaScript's shortest round-trip form (`String(x)`, `-0` as `-0`), so parsing gives
 * back the same double; `NaN`, `Infinity`, `-Infinity` are written as such; null is an empty unquoted
 * field (an empty string is `""`); booleans are `true`/`false`.
 */
import { closeSync, existsSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import {
  type Field,
  type RecordBatch,
  RecordBatchReader,
  RecordBatchStreamWriter,
  type Schema,
  Table,
  Type,
} from 'apache-arrow';
import { fileWriter, ParquetWriter, schemaFromColumnData } from 'hyparquet-writer';
import { checkArrowFile } from './analysis/arrow-io.js';
import { BackstopInputError } from './errors.js';
import { checkOutDir, packageVersion } from './runner/run.js';
import { openTemp } from './safe-fs.js';

/** Export formats. */
export const EXPORT_FORMATS = ['parquet', 'csv'] as const;
/** An export format. */
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/**
 * Result files `export` converts when present: the run's files, a game's `game.arrow` and the file
 * `analyze --format arrow --out DIR/analysis.arrow` writes.
 */
export const EXPORTABLE = ['runs.arrow', 'series.arrow', 'events.arrow', 'game.arrow', 'analysis.arrow'];

/** Rows per Parquet row group (16 Arrow batches of the result files). */
export const ROW_GROUP_ROWS = 131_072;

/** One exported file. */
export interface ExportedFile {
  from: string;
  to: string;
  rows: number;
  bytes: number;
}

/** Options of {@link exportResults}. */
export interface ExportOptions {
  format: ExportFormat;
  /** Output directory (default: the results directory). */
  out?: string;
  /** Replace files already there. */
  force?: boolean;
  /** Only these of {@link EXPORTABLE} (default: every one present). */
  files?: string[];
}

const bad = (path: string, message: string, heading = 'invalid option') =>
  new BackstopInputError([{ path, message }], heading);

/** Checks the inputs of an export and returns the [from, to] pairs; throws a BackstopInputError. */
export function planExport(dir: string, opts: ExportOptions): { from: string; to: string }[] {
  if (!(EXPORT_FORMATS as readonly string[]).includes(opts.format))
    throw bad('--format', `must be one of ${EXPORT_FORMATS.join(', ')} (got ${JSON.stringify(opts.format)})`);
  const abs = resolve(dir);
  if (!existsSync(abs)) throw bad(dir, 'no such directory', 'invalid results directory');
  if (!statSync(abs).isDirectory())
    throw bad(dir, 'is a file; give the results directory that holds it', 'invalid results directory');
  if (opts.out === '')
    throw bad('--out', 'is empty; give a directory (an empty path would write into the current directory)');
  const names = (opts.files ?? EXPORTABLE).filter((f) => existsSync(join(abs, f)));
  if (names.length === 0)
    throw bad(
      dir,
      `holds none of ${EXPORTABLE.join(', ')}; run an experiment into it first (backstop-sim run)`,
      'invalid results directory',
    );
  const out = resolve(opts.out ?? abs);
  // the exports are written beside their inputs when there is no --out: that directory must be writable
  checkOutDir(out, opts.out !== undefined ? '--out' : 'DIR');
  const pairs = names.map((f) => ({
    from: join(abs, f),
    to: join(out, `${basename(f, '.arrow')}.${opts.format}`),
  }));
  if (!opts.force) {
    const there = pairs.filter((p) => existsSync(p.to)).map((p) => p.to);
    if (there.length)
      throw bad(
        opts.out !== undefined ? `--out ${opts.out}` : dir,
        `${there.join(', ')} already exist${there.length === 1 ? 's' : ''}; remove ${there.length === 1 ? 'it' : 'them'}, give another --out, or pass --force to replace`,
      );
  }
  for (const p of pairs)
    if (existsSync(p.to) && statSync(p.to).isDirectory())
      throw bad(p.to, 'is a directory; remove it or give another --out');
  return pairs;
}

/** Converts the result files of `dir`; see the module comment. */
export async function exportResults(dir: string, opts: ExportOptions): Promise<ExportedFile[]> {
  const pairs = planExport(dir, opts);
  // every input readable as Arrow IPC, of column types export writes, before anything is written
  for (const p of pairs) await checkArrowFile(p.from);
  for (const p of pairs) {
    let schema: Schema;
    try {
      schema = await schemaOfFile(p.from);
    } catch (e) {
      throw bad(
        p.from,
        `is not a readable Arrow IPC file: truncated, damaged or not Arrow (${e instanceof Error ? e.message : String(e)})`,
        'invalid results file',
      );
    }
    checkKinds(p.from, schema);
  }
  mkdirSync(resolve(opts.out ?? dir), { recursive: true });
  const done: { tmp: string; to: string; from: string; rows: number }[] = [];
  try {
    for (const p of pairs) {
      // a fresh name, created exclusively (never a planted file or link), that the writers then fill
      const { fd, tmp } = openTemp(p.to);
      closeSync(fd);
      done.push({ tmp, to: p.to, from: p.from, rows: 0 });
      done[done.length - 1].rows =
        opts.format === 'parquet' ? await toParquet(p.from, tmp) : await toCsv(p.from, tmp);
    }
  } catch (e) {
    for (const d of done) rmSync(d.tmp, { force: true });
    throw e;
  }
  const out: ExportedFile[] = [];
  for (const d of done) {
    renameSync(d.tmp, d.to);
    out.push({ from: d.from, to: d.to, rows: d.rows, bytes: statSync(d.to).size });
  }
  return out;
}

/** The record batches of an Arrow IPC file, read from disk one at a time. */
async function* batchesOf(path: string): AsyncGenerator<RecordBatch, Schema> {
  const fh = await open(path, 'r');
  try {
    const reader = await RecordBatchReader.from(fh);
    await reader.open();
    for await (const b of reader) yield b;
    return reader.schema;
  } finally {
    await fh.close();
  }
}

async function schemaOfFile(path: string): Promise<Schema> {
  const fh = await open(path, 'r');
  try {
    const reader = await RecordBatchReader.from(fh);
    await reader.open();
    const s = reader.schema;
    await reader.cancel();
    return s;
  } finally {
    await fh.close();
  }
}

/** Field metadata of a schema as `{ column: { key: value } }` (numbers for min/max). */
export function fieldsJson(schema: Schema): Record<string, Record<string, string | number>> {
  const out: Record<string, Record<string, string | number>> = {};
  for (const f of schema.fields) {
    if (!f.metadata.size) continue;
    const m: Record<string, string | number> = {};
    for (const [k, v] of f.metadata) m[k] = k === 'min' || k === 'max' ? Number(v) : v;
    out[f.name] = m;
  }
  return out;
}

type Kind = 'i32' | 'f64' | 'utf8' | 'bool' | 'other';
function kindOf(f: Field): Kind {
  switch (f.type.typeId) {
    case Type.Int:
      return (f.type as unknown as { bitWidth: number }).bitWidth <= 32 ? 'i32' : 'other';
    case Type.Float:
      return 'f64';
    case Type.Utf8:
      return 'utf8';
    case Type.Bool:
      return 'bool';
    default:
      return 'other';
  }
}

function checkKinds(path: string, schema: Schema): Kind[] {
  const kinds = schema.fields.map(kindOf);
  const k = kinds.indexOf('other');
  if (k >= 0)
    throw bad(
      path,
      `column ${schema.fields[k].name} is of type ${schema.fields[k].type}, which export does not write`,
      'invalid results file',
    );
  return kinds;
}

/** The Arrow schema as an encapsulated IPC message, base64: the `ARROW:schema` key of Arrow's Parquet writers. */
function arrowSchemaBase64(schema: Schema): string {
  const bytes = RecordBatchStreamWriter.writeAll(new Table(schema)).toUint8Array(true);
  // the stream is the schema message then the end-of-stream marker (8 bytes): keep the message
  return Buffer.from(bytes.subarray(0, bytes.byteLength - 8)).toString('base64');
}

/** Column `i` of a batch as a JavaScript array (nulls as null). */
function columnValues(b: RecordBatch, i: number, kind: Kind): unknown[] {
  const v = b.getChildAt(i)!;
  const n = b.numRows;
  const out = new Array(n);
  if (kind === 'i32' || kind === 'f64') {
    const raw = v.toArray() as ArrayLike<number>;
    if (v.nullCount === 0) for (let r = 0; r < n; r++) out[r] = raw[r];
    else for (let r = 0; r < n; r++) out[r] = v.isValid(r) ? raw[r] : null;
  } else for (let r = 0; r < n; r++) out[r] = v.get(r) ?? null;
  return out;
}

async function toParquet(from: string, tmp: string): Promise<number> {
  const schema = await schemaOfFile(from);
  const kinds = checkKinds(from, schema);
  const TYPES = { i32: 'INT32', f64: 'DOUBLE', utf8: 'STRING', bool: 'BOOLEAN' } as const;
  const pqSchema = schemaFromColumnData({
    columnData: schema.fields.map((f, i) => ({
      name: f.name,
      data: [],
      type: TYPES[kinds[i] as keyof typeof TYPES],
      nullable: f.nullable,
    })),
  });
  const kv = [
    { key: 'backstop-sim:fields', value: JSON.stringify(fieldsJson(schema)) },
    ...[...schema.metadata].map(([key, value]) => ({ key, value })),
    { key: 'ARROW:schema', value: arrowSchemaBase64(schema) },
  ];
  const writer = fileWriter(tmp);
  const pq = new ParquetWriter({
    writer,
    schema: pqSchema,
    kvMetadata: kv,
    createdBy: `backstop-sim ${packageVersion()} (hyparquet-writer)`,
  });
  let group: unknown[][] = schema.fields.map(() => []);
  let groupRows = 0;
  let rows = 0;
  const flush = () => {
    if (groupRows === 0) return;
    pq.write({
      columnData: schema.fields.map((f, i) => ({ name: f.name, data: group[i] })),
      rowGroupSize: groupRows,
    });
    group = schema.fields.map(() => []);
    groupRows = 0;
  };
  for await (const b of batchesOf(from)) {
    for (let i = 0; i < kinds.length; i++) {
      const vals = columnValues(b, i, kinds[i]);
      const g = group[i];
      for (const x of vals) g.push(x);
    }
    groupRows += b.numRows;
    rows += b.numRows;
    if (groupRows >= ROW_GROUP_ROWS) flush();
  }
  flush();
  pq.finish();
  return rows;
}

/** A CSV field (see the module comment). */
export function csvField(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  const s = String(v);
  return s === '' || /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

async function toCsv(from: string, tmp: string): Promise<number> {
  const schema = await schemaOfFile(from);
  const kinds = checkKinds(from, schema);
  const fd = openSync(tmp, 'w');
  let rows = 0;
  try {
    const put = (s: string) => {
      const b = Buffer.from(s, 'utf8');
      let off = 0;
      while (off < b.byteLength) off += writeSync(fd, b, off, b.byteLength - off);
    };
    put(`${schema.fields.map((f) => csvField(f.name)).join(',')}\n`);
    for await (const b of batchesOf(from)) {
      const cols = kinds.map((k, i) => columnValues(b, i, k));
      const lines: string[] = new Array(b.numRows);
      for (let r = 0; r < b.numRows; r++) {
        let line = '';
        for (let c = 0; c < cols.length; c++) line += (c ? ',' : '') + csvField(cols[c][r]);
        lines[r] = line;
      }
      if (b.numRows) put(`${lines.join('\n')}\n`);
      rows += b.numRows;
    }
  } finally {
    closeSync(fd);
  }
  return rows;
}
