/**
 * The progress line (issue 17): ~95 characters redrawn with `\r\x1b[2K` left a new row per redraw in an
 * 80-column terminal, and the first ETA counted the pool's start-up (19:13 for a one-minute job).
 */
import { describe, expect, it } from 'vitest';
import { Progress } from '../src/runner/progress.js';

/** A fake terminal of `columns` and a fake clock in ms. */
function terminal(columns: number) {
  const frames: string[] = [];
  const clock = { t: 0 };
  const stream = { columns, write: (s: string) => frames.push(s) };
  return { frames, clock, stream, now: () => clock.t };
}

// the frame without the redraw prefix and the final newline
const REDRAW = '\r\x1b[2K';
const text = (frame: string) =>
  (frame.startsWith(REDRAW) ? frame.slice(REDRAW.length) : frame).replace(/\n$/, '');

describe('progress on a terminal', () => {
  for (const columns of [40, 80, 120, 200]) {
    it(`at ${columns} columns every frame fits in columns − 1 and redraws in place`, () => {
      const t = terminal(columns);
      const p = new Progress(10_000, 0, 'tty', { stream: t.stream, everyMs: 100, now: t.now });
      for (let i = 1; i <= 100; i++) {
        t.clock.t = 1000 * i;
        p.add(100, i % 7 === 0 ? 1 : 0);
      }
      p.finish();
      expect(t.frames.length).toBe(101);
      for (const f of t.frames) {
        expect(f.startsWith(REDRAW)).toBe(true);
        expect(text(f).length).toBeLessThanOrEqual(columns - 1);
        expect(text(f)).not.toMatch(/[\r\n]/);
      }
      // only the final frame ends the line
      expect(t.frames.filter((f) => f.endsWith('\n')).length).toBe(1);
      expect(text(t.frames.at(-1)!)).toMatch(/100\.0%/);
    });
  }

  it('follows a resize (columns read at every draw)', () => {
    const t = terminal(200);
    const p = new Progress(100, 0, 'tty', { stream: t.stream, everyMs: 0, now: t.now });
    t.clock.t = 1;
    p.add(1);
    t.stream.columns = 50;
    t.clock.t = 2000;
    p.add(1);
    expect(text(t.frames[0]).length).toBeGreaterThan(50);
    expect(text(t.frames[1]).length).toBeLessThanOrEqual(49);
  });

  it('the ETA ignores the start-up: 20 s to start, then 10 runs/s of 600 runs', () => {
    const t = terminal(80);
    const p = new Progress(600, 0, 'tty', { stream: t.stream, everyMs: 0, now: t.now });
    t.clock.t = 20_000; // the first task ends after the pool's start-up
    p.add(10);
    // no rate yet: no ETA rather than one from 10 runs in 20 s (19:10 for a one-minute job)
    expect(text(t.frames[0])).toMatch(/ETA --:--/);
    t.clock.t = 21_000;
    p.add(10);
    // 580 runs left at 10 runs/s: 58 s
    expect(text(t.frames[1])).toMatch(/ETA 0:58/);
    expect(text(t.frames[1])).toMatch(/10\.0 runs\/s/);
  });

  // the review's case: with the rate from the first finished task, the other workers' first tasks (ending
  // within a second) made 16 workers of 60 s chunks read 500 runs/s, ETA 0:48, for 15 minutes' work
  it('16 workers, 2 tasks each in flight, 100-run tasks of 60 s ending together: the ETA is right once measured', () => {
    const t = terminal(120);
    const workers = 16;
    const total = 25_600;
    const p = new Progress(total, 0, 'tty', { stream: t.stream, everyMs: 0, now: t.now, wave: 2 * workers });
    // wave k: every worker finishes a task at 60·k s, 0.01 s apart
    for (let k = 1; k <= 4; k++)
      for (let w = 0; w < workers; w++) {
        t.clock.t = 60_000 * k + 10 * w;
        p.add(100);
      }
    // 32 tasks in flight at the start: the first 2 waves are start-up; the rate counts waves 3 and 4
    const last = text(t.frames.at(-1)!);
    const rate = Number(/([\d.]+) runs\/s/.exec(last)?.[1]);
    const trueRate = (workers * 100) / 60;
    expect(Math.abs(rate - trueRate) / trueRate).toBeLessThan(0.05);
    for (const f of t.frames.slice(0, 2 * workers)) expect(text(f)).toMatch(/ETA --:--/);
  });

  it('a resumed batch counts its rate from the runs done now', () => {
    const t = terminal(120);
    const p = new Progress(1000, 900, 'tty', { stream: t.stream, everyMs: 0, now: t.now });
    t.clock.t = 5000;
    p.add(10);
    t.clock.t = 6000;
    p.add(10);
    expect(text(t.frames[1])).toMatch(/920\/1000 runs 92\.0% 10\.0 runs\/s/);
    expect(text(t.frames[1])).toMatch(/ETA 0:08/);
  });

  it('without a terminal: whole lines; quiet: nothing', () => {
    const t = terminal(80);
    const p = new Progress(10, 0, 'lines', { stream: t.stream, everyMs: 5000, now: t.now });
    t.clock.t = 1;
    p.add(5);
    p.finish();
    expect(t.frames.every((f) => f.endsWith('\n') && !f.includes('\r'))).toBe(true);
    const q = terminal(80);
    const n = new Progress(10, 0, 'none', { stream: q.stream, everyMs: 0, now: q.now });
    n.add(10);
    n.finish();
    expect(q.frames).toEqual([]);
  });
});
