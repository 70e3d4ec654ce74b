/**
 * Small Arrow IPC helpers for the analysis layer: read a file into plain columns (numbers with nulls as
 * NaN, strings with nulls as null), and write plain columns to an Arrow IPC file. Every written column gets
 * its own freshly allocated buffer (apache-arrow 21 writes wrong data when one typed-array instance backs
 * two columns).
 */
import { readFileSync } from 'node:fs';
import {
  Bool,
  Field,
  Float64,
  Int32,
  Schema,
  Table,
  tableFromIPC,
  tableToIPC,
  Utf8,
  type Vector,
  vectorFromArray,
} from 'apache-arrow';

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
}

/** Reads an Arrow IPC file (file or stream format) into plain columns. */
export function readArrowFile(path: string): ColumnTable {
  const table = tableFromIPC(readFileSync(path));
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
  return { names, rows, columns };
}

/** One column to write: its name, type and values (null for missing). */
export type WriteColumn =
  | { name: string; type: 'f64'; values: ArrayLike<number | null> }
  | { name: string; type: 'i32'; values: ArrayLike<number | null> }
  | { name: string; type: 'utf8'; values: ArrayLike<string | null> };

/** Encodes columns as an Arrow IPC file (bytes). Non-finite numbers are written as nulls. */
export function arrowFileBytes(cols: WriteColumn[]): Uint8Array {
  const fields: Field[] = [];
  const data: Record<string, Vector> = {};
  for (const c of cols) {
    const n = c.values.length;
    if (c.type === 'utf8') {
      const vals: (string | null)[] = new Array(n);
      for (let i = 0; i < n; i++) vals[i] = c.values[i] ?? null;
      data[c.name] = vectorFromArray(vals, new Utf8());
      fields.push(new Field(c.name, new Utf8(), true));
    } else {
      const vals: (number | null)[] = new Array(n);
      for (let i = 0; i < n; i++) {
        const v = c.values[i];
        vals[i] = typeof v === 'number' && Number.isFinite(v) ? v : null;
      }
      const type = c.type === 'i32' ? new Int32() : new Float64();
      data[c.name] = vectorFromArray(vals, type);
      fields.push(new Field(c.name, type, true));
    }
  }
  const table = new Table(new Schema(fields), data);
  return tableToIPC(table, 'file');
}
