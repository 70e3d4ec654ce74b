/**
 * Small Arrow IPC helpers for the analysis layer: read a file into plain columns (numbers with nulls as
 * NaN, strings with nulls as null), and write plain columns to an Arrow IPC file. Every written column gets
 * its own freshly allocated buffer (apache-arrow 21 writes wrong data when one typed-array instance backs
 * two columns).
 */
import { readFileSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import type { RecordBatch } from 'apache-arrow';
import {
  Bool,
  Field,
  Float64,
  Int32,
  RecordBatchReader,
  Schema,
  Table,
  tableFromIPC,
  tableToIPC,
  Utf8,
  type Vector,
  vectorFromArray,
} from 'apache-arrow';
import { EVENT_KINDS } from '../engine/events.js';
import { BackstopInputError } from '../errors.js';
import { derivedColumnMeta, metaEntries } from '../field-meta.js';
import type { FieldMeta } from '../metrics.js';

/** A column read from Arrow: numeric (nulls as NaN), text (nulls as null) or boolean. */
export type ReadColumn = Float64Array | (string | null)[] | (boolean | null)[];

/** An Arrow file read into plain columns. */
export interface ColumnTable {
  /** Column names in file order. */
  names: string[];
  /** Number of rows. */
  rows: number;
  /** Columns by name. */
  columns: Record<string, ReadColumn>;
  /** Field metadata by column name, of the columns that have any. */
  meta?: Record<string, Record<string, string>>;
}

/**
 * Columns a results file must have, by its file name: a `runs.arrow` without them is no results file of
 * this tool (an Arrow file of something else, or one cut short), and reading on would fail far from here.
 */
export const RESULT_FILE_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  'runs.arrow': ['run_id', 'point_id', 'seed', 'status'],
  'series.arrow': ['run_id', 'tick'],
  'events.arrow': ['run_id', 'tick', 'kind'],
};

/** An error reading a results file: exit 2, naming the file. */
export function resultsFileError(path: string, message: string): BackstopInputError {
  return new BackstopInputError([{ path, message }], 'invalid results file');
}

const DAMAGED = 'is not a readable Arrow IPC file: truncated, damaged or not Arrow';

/** Checks that `path` is a regular, non-empty file; returns its size. */
function checkResultsFileStat(path: string): number {
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw resultsFileError(path, 'is not a regular file (a directory?)');
    size = st.size;
  } catch (e) {
    if (e instanceof BackstopInputError) throw e;
    throw resultsFileError(path, `cannot be read: ${(e as Error).message}`);
  }
  if (size === 0) throw resultsFileError(path, 'is empty (0 bytes): not an Arrow file; run the batch again');
  return size;
}

/** Checks the columns of a results file named in {@link RESULT_FILE_COLUMNS} against its schema's names. */
function checkResultColumns(path: string, names: string[]): void {
  const want = RESULT_FILE_COLUMNS[basename(path)];
  const missing = want?.filter((c) => !names.includes(c)) ?? [];
  if (missing.length > 0)
    throw resultsFileError(
      path,
      `is not a ${basename(path)} written by backstop-sim: it lacks the column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (it has ${names.slice(0, 8).join(', ') || 'none'}${names.length > 8 ? ', ...' : ''})`,
    );
}

/**
 * Checks a results file without reading its data: a regular non-empty file whose Arrow footer and schema
 * read, with the columns {@link RESULT_FILE_COLUMNS} requires for its name. For a command that must refuse
 * a damaged input before it creates anything.
 *
 * @throws BackstopInputError naming the file
 */
export async function checkArrowFile(path: string): Promise<void> {
  checkResultsFileStat(path);
  const fh = await open(path, 'r');
  let names: string[];
  try {
    const reader = await RecordBatchReader.from(fh);
    await reader.open();
    names = reader.schema.fields.map((f) => f.name);
  } catch (e) {
    throw resultsFileError(path, `${DAMAGED} (${firstLine(e)})`);
  } finally {
    await fh.close().catch(() => undefined);
  }
  checkResultColumns(path, names);
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0];
}

/**
 * Reads an Arrow IPC file (file or stream format) into plain columns.
 *
 * @throws BackstopInputError naming the file when it is empty, truncated, damaged, not Arrow, or (for a
 *   file named in {@link RESULT_FILE_COLUMNS}) lacks a column a results file has
 */
export function readArrowFile(path: string): ColumnTable {
  checkResultsFileStat(path);
  let table: Table;
  try {
    table = tableFromIPC(readFileSync(path));
    // decoding is lazy: touch every column's data once, so that a body cut short fails here
    for (const f of table.schema.fields) table.getChild(f.name)?.nullCount;
  } catch (e) {
    throw resultsFileError(path, `${DAMAGED} (${firstLine(e)})`);
  }
  checkResultColumns(
    path,
    table.schema.fields.map((f) => f.name),
  );
  try {
    return plainColumns(table);
  } catch (e) {
    throw resultsFileError(path, `${DAMAGED} (${firstLine(e)})`);
  }
}

function plainColumns(table: Table): ColumnTable {
  const names = table.schema.fields.map((f) => f.name);
  const columns: Record<string, ReadColumn> = {};
  const rows = table.numRows;
  for (const f of table.schema.fields) {
    const v = table.getChild(f.name);
    if (!v) continue;
    const id = f.type.typeId;
    if (id === new Utf8().typeId || id === -new Utf8().typeId) {
      const out: (string | null)[] = new Array(rows);
      for (let i = 0; i < rows; i++) out[i] = (v.get(i) as string | null) ?? null;
      columns[f.name] = out;
    } else if (id === new Bool().typeId) {
      const out: (boolean | null)[] = new Array(rows);
      for (let i = 0; i < rows; i++) out[i] = (v.get(i) as boolean | null) ?? null;
      columns[f.name] = out;
    } else {
      const out = new Float64Array(rows);
      const raw = v.toArray() as ArrayLike<number | bigint>;
      const nulls = v.nullCount > 0;
      for (let i = 0; i < rows; i++) {
        if (nulls && !v.isValid(i)) out[i] = Number.NaN;
        else out[i] = Number(raw[i]);
      }
      columns[f.name] = out;
    }
  }
  const meta: Record<string, Record<string, string>> = {};
  for (const f of table.schema.fields) if (f.metadata.size > 0) meta[f.name] = Object.fromEntries(f.metadata);
  return { names, rows, columns, meta };
}

/**
 * One column to write: its name, type and values (null for missing), and its field metadata (default: the
 * column's entry in the metadata table, see `derivedColumnMeta`; none when it has no entry).
 */
export type WriteColumn = (
  | { name: string; type: 'f64'; values: ArrayLike<number | null> }
  | { name: string; type: 'i32'; values: ArrayLike<number | null> }
  | { name: string; type: 'utf8'; values: ArrayLike<string | null> }
) & { meta?: FieldMeta };

/**
 * Encodes columns as an Arrow IPC file (bytes), each field with its metadata (unit, description, label)
 * and `schemaMeta` as the schema's. Non-finite numbers are written as nulls.
 */
export function arrowFileBytes(cols: WriteColumn[], schemaMeta?: Map<string, string>): Uint8Array {
  const fields: Field[] = [];
  const data: Record<string, Vector> = {};
  for (const c of cols) {
    const n = c.values.length;
    if (c.type === 'utf8') {
      const vals: (string | null)[] = new Array(n);
      for (let i = 0; i < n; i++) vals[i] = c.values[i] ?? null;
      data[c.name] = vectorFromArray(vals, new Utf8());
      fields.push(new Field(c.name, new Utf8(), true, fieldMetaOf(c)));
    } else {
      const vals: (number | null)[] = new Array(n);
      for (let i = 0; i < n; i++) {
        const v = c.values[i];
        vals[i] = typeof v === 'number' && Number.isFinite(v) ? v : null;
      }
      const type = c.type === 'i32' ? new Int32() : new Float64();
      data[c.name] = vectorFromArray(vals, type);
      fields.push(new Field(c.name, type, true, fieldMetaOf(c)));
    }
  }
  const table = new Table(new Schema(fields, schemaMeta ? new Map(schemaMeta) : undefined), data);
  return tableToIPC(table, 'file');
}

function fieldMetaOf(c: WriteColumn): Map<string, string> | undefined {
  const m = c.meta ?? derivedColumnMeta(c.name);
  return m ? metaEntries(m) : undefined;
}

const KIND_BYTES = EVENT_KINDS.map((k) => new TextEncoder().encode(k));

/**
 * One record batch of an events.arrow file read from its Arrow buffers, with no row objects: `numeric(name)`
 * gives a numeric column as a typed-array view, `kinds` each row's event code (its position in
 * {@link EVENT_KINDS}; −1 for a kind this build does not know), the kind strings matched as bytes, never
 * decoded one by one (an events file can hold tens of millions of rows). `path` names the file in errors.
 */
export function eventBatch(
  b: RecordBatch,
  path: string,
): { numeric(name: string): Int32Array | Float64Array; kinds: Int32Array } {
  const child = (name: string) => {
    const c = b.getChild(name);
    if (c?.data.length !== 1)
      throw new Error(`${path}: no single-chunk column ${name} (not an events file?)`);
    return c.data[0];
  };
  const numeric = (name: string) => {
    const d = child(name);
    return (d.values as Int32Array | Float64Array).subarray(d.offset, d.offset + d.length);
  };
  const kind = child('kind');
  const off = (kind.valueOffsets as Int32Array).subarray(kind.offset);
  const bytes = kind.values as Uint8Array;
  const kinds = new Int32Array(b.numRows);
  for (let i = 0; i < b.numRows; i++) {
    const s = off[i];
    const len = off[i + 1] - s;
    let code = -1;
    for (let k = 0; k < KIND_BYTES.length && code < 0; k++) {
      const c = KIND_BYTES[k];
      if (c.length !== len) continue;
      let j = 0;
      while (j < len && bytes[s + j] === c[j]) j++;
      if (j === len) code = k;
    }
    kinds[i] = code;
  }
  return { numeric, kinds };
}
