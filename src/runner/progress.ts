/**
 * Progress of a batch on stderr: a bar redrawn in place on a terminal (runs done, rate, ETA), or a plain
 * line every few seconds (for a log), or nothing.
 *
 * On a terminal the line never reaches the last column (it is shortened to `columns − 1`, read at every
 * draw, so a resize is followed): a line that wraps cannot be redrawn in place by `\r`, and every redraw
 * would leave a new row. The rate and the ETA count from the end of the first wave of tasks (the tasks
 * put in flight at the start, `wave`): those took the pool's start-up (threads, module loading) and, with
 * many workers, end together, so neither inflates nor deflates the rate; until a rate can be measured the
 * ETA reads `--:--`.
 */

/** How progress is shown. */
export type ProgressMode = 'tty' | 'lines' | 'none';

/** Where progress is written: a stream, with its width when it is a terminal. */
export interface ProgressStream {
  write(s: string): unknown;
  columns?: number;
}

/** Where, how often and against which clock progress is drawn, and the runner's first wave. */
export interface ProgressOptions {
  /** Default: stderr. */
  stream?: ProgressStream;
  /** Least time between two draws (ms; default 100 on a terminal, 5000 for lines). */
  everyMs?: number;
  /** The clock in ms (default `performance.now`). */
  now?: () => number;
  /** Tasks in flight at the start (the runner keeps this many in flight; default 1). */
  wave?: number;
}

/** Seconds from the end of the first wave before a rate (and an ETA) is shown. */
const MIN_RATE_SECONDS = 0.5;

function fmtTime(s: number): string {
  if (!Number.isFinite(s)) return '--:--';
  s = Math.round(s);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** A progress display for `total` runs, `done` of which were already done (resume). */
export class Progress {
  private readonly t0: number;
  private lastDraw = Number.NEGATIVE_INFINITY;
  /** Time and runs done when the first wave of tasks had finished (the rate counts from there). */
  private first: { t: number; done: number } | null = null;
  /** Tasks finished. */
  private tasks = 0;
  failed = 0;

  private readonly stream: ProgressStream;
  private readonly everyMs: number;
  private readonly now: () => number;
  private readonly wave: number;

  constructor(
    readonly total: number,
    private done: number,
    readonly mode: ProgressMode,
    opts: ProgressOptions = {},
  ) {
    this.stream = opts.stream ?? process.stderr;
    this.everyMs = opts.everyMs ?? (mode === 'tty' ? 100 : 5000);
    this.now = opts.now ?? (() => performance.now());
    this.wave = opts.wave ?? 1;
    this.t0 = this.now();
  }

  /** Adds finished runs. */
  add(runs: number, failed = 0): void {
    const now = this.now();
    this.done += runs;
    // the first wave took the start-up too: the rate counts the runs finished after it
    if (++this.tasks === this.wave) this.first = { t: now, done: this.done };
    this.failed += failed;
    if (now - this.lastDraw >= this.everyMs) {
      this.lastDraw = now;
      this.draw(false);
    }
  }

  /** Runs per second since the first wave ended, or NaN before or while too little time has passed. */
  private rate(now: number): number {
    if (!this.first) return Number.NaN;
    const s = (now - this.first.t) / 1000;
    return s >= MIN_RATE_SECONDS ? (this.done - this.first.done) / s : Number.NaN;
  }

  /** The parts of the line, most important first. */
  private parts(): { count: string; pct: string; rate: string; elapsed: string; eta: string; fail: string } {
    const now = this.now();
    const s = (now - this.t0) / 1000;
    const rate = this.rate(now);
    const left = this.total - this.done;
    const eta = left <= 0 ? 0 : rate > 0 ? left / rate : Number.NaN;
    const pct = this.total > 0 ? (100 * this.done) / this.total : 100;
    return {
      count: `${this.done}/${this.total} runs`,
      pct: `${pct.toFixed(1)}%`,
      rate: Number.isFinite(rate) ? `${rate.toFixed(1)} runs/s` : '',
      elapsed: fmtTime(s),
      eta: fmtTime(eta),
      fail: this.failed > 0 ? `${this.failed} failed` : '',
    };
  }

  private line(): string {
    const p = this.parts();
    const rate = p.rate ? `, ${p.rate}` : '';
    const fail = p.fail ? `, ${p.fail}` : '';
    return `${p.count} (${p.pct})${rate}, elapsed ${p.elapsed}, ETA ${p.eta}${fail}`;
  }

  /** The terminal line: the longest form that fits in `width` characters. */
  ttyLine(width: number): string {
    const p = this.parts();
    const f = this.total > 0 ? Math.min(1, this.done / this.total) : 1;
    const bar = (w: number) => {
      const full = Math.round(f * w);
      return `[${'#'.repeat(full)}${'-'.repeat(w - full)}] `;
    };
    const fail = p.fail ? ` ${p.fail}` : '';
    const rate = p.rate ? ` ${p.rate}` : '';
    const forms = [
      `${bar(30)}${p.count} ${p.pct}${rate} elapsed ${p.elapsed} ETA ${p.eta}${fail}`,
      `${bar(20)}${p.count} ${p.pct}${rate} ETA ${p.eta}${fail}`,
      `${bar(10)}${p.count} ${p.pct} ETA ${p.eta}${fail}`,
      `${p.count} ${p.pct} ETA ${p.eta}${fail}`,
      `${p.pct} ETA ${p.eta}`,
    ];
    return forms.find((x) => x.length <= width) ?? forms[forms.length - 1].slice(0, width);
  }

  private draw(final: boolean): void {
    if (this.mode === 'none') return;
    if (this.mode === 'lines') {
      this.stream.write(`${this.line()}\n`);
      return;
    }
    // stay off the last column: a line that reaches it wraps (or leaves the cursor pending) in many terminals
    const width = Math.max(1, (this.stream.columns || 80) - 1);
    this.stream.write(`\r\x1b[2K${this.ttyLine(width)}${final ? '\n' : ''}`);
  }

  /** Draws the final state. */
  finish(): void {
    this.draw(true);
  }
}
