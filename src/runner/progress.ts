/**
 * Progress of a batch on stderr: a bar redrawn in place on a terminal (runs done, rate, ETA), a plain line
 * every few seconds otherwise, nothing with `quiet`.
 */

/** How progress is shown. */
export type ProgressMode = 'tty' | 'lines' | 'none';

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
  private readonly t0 = performance.now();
  private lastDraw = 0;
  private readonly startDone: number;
  failed = 0;

  constructor(
    readonly total: number,
    private done: number,
    readonly mode: ProgressMode,
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly everyMs = mode === 'tty' ? 100 : 5000,
  ) {
    this.startDone = done;
  }

  /** Adds finished runs. */
  add(runs: number, failed = 0): void {
    this.done += runs;
    this.failed += failed;
    const now = performance.now();
    if (now - this.lastDraw >= this.everyMs) {
      this.lastDraw = now;
      this.draw(false);
    }
  }

  private line(): string {
    const s = (performance.now() - this.t0) / 1000;
    const rate = (this.done - this.startDone) / Math.max(s, 1e-9);
    const eta = rate > 0 ? (this.total - this.done) / rate : Number.POSITIVE_INFINITY;
    const pct = this.total > 0 ? (100 * this.done) / this.total : 100;
    const fail = this.failed > 0 ? `, ${this.failed} failed` : '';
    return `${this.done}/${this.total} runs (${pct.toFixed(1)}%), ${rate.toFixed(1)} runs/s, elapsed ${fmtTime(s)}, ETA ${fmtTime(eta)}${fail}`;
  }

  private draw(final: boolean): void {
    if (this.mode === 'none') return;
    if (this.mode === 'lines') {
      this.stream.write(`${this.line()}\n`);
      return;
    }
    const width = 30;
    const f = this.total > 0 ? this.done / this.total : 1;
    const full = Math.round(f * width);
    const bar = `[${'#'.repeat(full)}${'-'.repeat(width - full)}]`;
    this.stream.write(`\r\x1b[2K${bar} ${this.line()}${final ? '\n' : ''}`);
  }

  /** Draws the final state. */
  finish(): void {
    this.draw(true);
  }
}
