/**
 * Streaming Arrow IPC file writer. Rows are appended column by column into fixed-size batches (so the
 * bytes of a file depend only on its rows, never on how runs were chunked, sharded or scheduled), each full
 * batch is written straight to a temporary file, and `close()` renames it to its final name: a reader
 * never sees a half-written file, and memory holds one batch.
 *
 * Only Int32, Float64, Utf8 and Bool columns; every column owns fresh buffers (apache-arrow 21 writes an
 * unreadable file when one typed array backs two columns).
 */
import { closeSync, renameSync, rmSync, writeSync } from 'node:fs';
import {
  AsyncByteQueue,
  Bool,
  type Data,
  Field,
  Float64,
  Int32,
  makeData,
  RecordBatch,
  RecordBatchFileWriter,
  Schema,
  Struct,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';
import { openTemp } from '../safe-fs.js';

/** Column types used in result files. */
export type ColType = 'i32' | 'f64' | 'utf8' | 'bool';
/** A column of a result file. */
export interface ColSpec {
  name: string;
  type: ColType;
  nullable: boolean;
  /** Field metadata (unit, description, label, …: see `metaEntries` in src/field-meta.ts). */
  meta?: Map<string, string>;
}

/** Rows per record batch of every result file. */
export const BATCH_ROWS = 8192;

/** An AsyncByteQueue that writes every chunk synchronously to a file descriptor. */
class FdSink extends AsyncByteQueue {
  constructor(private readonly fd: number) {
    super();
  }
  // biome-ignore lint/suspicious/noExplicitAny: apache-arrow's ArrayBufferViewInput
  override write(value: any): void {
    const u8 =
      value instanceof Uint8Array ? value : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    let off = 0;
    while (off < u8.byteLength) off += writeSync(this.fd, u8, off, u8.byteLength - off);
  }
}

function arrowType(t: ColType) {
  return t === 'i32' ? new Int32() : t === 'f64' ? new Float64() : t === 'utf8' ? new Utf8() : new Bool();
}

/** Schema of a result file, with each column's field metadata and the file's schema metadata. */
export function schemaOf(cols: ColSpec[], meta?: Map<string, string>): Schema {
  return new Schema(
    cols.map((c) => new Field(c.name, arrowType(c.type), c.nullable, c.meta ? new Map(c.meta) : undefined)),
    meta ? new Map(meta) : undefined,
  );
}

type Column = Float64Array | Int32Array | (string | null)[] | (boolean | null)[];

/** Writes a result file in fixed-size batches. */
export class TableSink {
  readonly schema: Schema;
  private readonly fd: number;
  private readonly writer: RecordBatchFileWriter;
  private readonly tmp: string;
  private cols: Column[] = [];
  private valid: Uint8Array[] = [];
  private n = 0;
  private started = false;
  rows = 0;

  constructor(
    readonly path: string,
    readonly specs: ColSpec[],
    meta?: Map<string, string>,
  ) {
    this.schema = schemaOf(specs, meta);
    ({ fd: this.fd, tmp: this.tmp } = openTemp(path));
    this.writer = new RecordBatchFileWriter();
    this.writer.reset(new FdSink(this.fd) as never, this.schema);
    this.fresh();
  }

  private fresh(): void {
    this.cols = this.specs.map((s) =>
      s.type === 'i32' ? new Int32Array(BATCH_ROWS) : s.type === 'f64' ? new Float64Array(BATCH_ROWS) : [],
    );
    this.valid = this.specs.map(() => new Uint8Array(BATCH_ROWS).fill(1));
    this.n = 0;
  }

  /** Room left in the current batch. */
  get room(): number {
    return BATCH_ROWS - this.n;
  }

  /**
   * Appends one value per column for one row (null for a missing value).
   * For bulk appends of numeric columns use {@link setAt}/{@link commit}.
   */
  push(values: (number | string | boolean | null)[]): void {
    const i = this.n;
    for (let c = 0; c < values.length; c++) {
      const v = values[c];
      const col = this.cols[c];
      if (v === null || (typeof v === 'number' && Number.isNaN(v) && this.specs[c].nullable)) {
        this.valid[c][i] = 0;
        if (Array.isArray(col)) col.push(null);
      } else if (Array.isArray(col)) (col as unknown[]).push(v);
      else col[i] = v as number;
    }
    this.n++;
    if (this.n === BATCH_ROWS) this.flush();
  }

  private flush(): void {
    const n = this.n;
    if (n === 0 && this.started) return;
    const children: Data[] = this.specs.map((s, c) => {
      const col = this.cols[c];
      const v = this.valid[c];
      let nulls = 0;
      for (let i = 0; i < n; i++) nulls += 1 - v[i];
      if (s.type === 'utf8' || s.type === 'bool')
        return vectorFromArray(col as never[], arrowType(s.type)).data[0];
      let nullBitmap: Uint8Array | undefined;
      if (nulls > 0) {
        nullBitmap = new Uint8Array((n + 7) >> 3);
        for (let i = 0; i < n; i++) if (v[i]) nullBitmap[i >> 3] |= 1 << (i & 7);
      }
      // a fresh copy per column: never two columns over one buffer
      const data = (col as Float64Array | Int32Array).slice(0, n);
      return makeData({
        type: arrowType(s.type) as never,
        length: n,
        nullCount: nulls,
        data,
        nullBitmap,
      } as never);
    });
    const struct = makeData({ type: new Struct(this.schema.fields), length: n, nullCount: 0, children });
    this.writer.write(new RecordBatch(this.schema, struct));
    this.started = true;
    this.rows += n;
    this.fresh();
  }

  /** Writes the last batch and the footer, and renames the file to its final name. */
  close(): void {
    if (this.n > 0 || !this.started) this.flush();
    this.writer.finish();
    closeSync(this.fd);
    renameSync(this.tmp, this.path);
  }

  /** Abandons the file (removes the temporary file). */
  abort(): void {
    try {
      closeSync(this.fd);
    } catch {}
    rmSync(this.tmp, { force: true });
  }
}
