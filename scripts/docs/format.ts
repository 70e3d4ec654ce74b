/**
 * Number formatting for generated docs: three significant figures, M/k/B suffixes for money, U+2212 for
 * minus, commas between thousands. Only `toPrecision`, `toExponential` and `toFixed` are used (never
 * `toLocaleString` or `Intl`), so the text is the same under every locale and on every machine.
 */

const MINUS = '\u2212';

function finite(x: number, what: string): void {
  if (!Number.isFinite(x)) throw new Error(`docs: cannot format ${what} ${x}`);
}

/** Commas between groups of three digits of the integer part of a plain decimal string. */
function group(s: string): string {
  const [int, frac] = s.split('.');
  const g = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return frac === undefined ? g : `${g}.${frac}`;
}

/** |x| rounded to `digits` significant figures, as a plain decimal string (no exponent), trailing zeros kept. */
function magnitude(x: number, digits: number): string {
  const r = Math.abs(Number(x.toPrecision(digits)));
  if (r === 0) return '0';
  const exp = Number(r.toExponential().split('e')[1]);
  return group(r.toFixed(Math.max(0, digits - 1 - exp)));
}

/** `x` to `digits` (3) significant figures: 4.89, 30.7, 545, 5,200, 0.0123, −1.25. */
export function sig(x: number, digits = 3): string {
  finite(x, 'number');
  if (x === 0) return '0';
  const m = magnitude(x, digits);
  return m === '0' ? '0' : x < 0 ? `${MINUS}${m}` : m;
}

/** `x` with an explicit sign: +364, −2.50, 0. */
export function signed(s: string): string {
  return s === '0' || s.startsWith(MINUS) ? s : `+${s}`;
}

/** An amount of USD, 3 significant figures with a suffix: 4.89M, 12.3k, 512, 7.61B; under 0.01 in size, <0.01. */
export function usd(x: number): string {
  finite(x, 'amount');
  if (x === 0) return '0';
  const a = Math.abs(Number(x.toPrecision(3)));
  if (a < 0.01) return x < 0 ? `${MINUS}<0.01` : '<0.01';
  const [div, suffix] = a >= 1e9 ? [1e9, 'B'] : a >= 1e6 ? [1e6, 'M'] : a >= 1e3 ? [1e3, 'k'] : [1, ''];
  return `${sig(x / div)}${suffix}`;
}

/** A fraction as a percentage to 3 significant figures: 0.563 → 56.3%, 0 → 0%, 1 → 100%; under 0.001% in size, <0.001%. */
export function pct(f: number): string {
  finite(f, 'fraction');
  if (f !== 0 && Math.abs(f * 100) < 0.001) return f < 0 ? `${MINUS}<0.001%` : '<0.001%';
  return `${sig(f * 100)}%`;
}

/**
 * An input (a config parameter or a swept value) as it is written, not rounded to significant figures:
 * 0.6, 2.4, 0.997, 5,200.
 */
export function param(x: number): string {
  finite(x, 'parameter');
  const s = String(Math.abs(Number(x.toPrecision(12))));
  if (s.includes('e')) return sig(x);
  return x < 0 ? `${MINUS}${group(s)}` : group(s);
}

/** An input amount of USD with a suffix, as written: 250k, 1M, 20M. */
export function paramUsd(x: number): string {
  const a = Math.abs(x);
  const [div, suffix] = a >= 1e9 ? [1e9, 'B'] : a >= 1e6 ? [1e6, 'M'] : a >= 1e3 ? [1e3, 'k'] : [1, ''];
  return `${param(x / div)}${suffix}`;
}

/** An input fraction as a percentage, as written: 0.005 → 0.5%. */
export function paramPct(f: number): string {
  return `${param(f * 100)}%`;
}

/** An integer count with thousands separators: 7,000. */
export function count(n: number): string {
  finite(n, 'count');
  if (!Number.isInteger(n)) throw new Error(`docs: count ${n} is not an integer`);
  return n < 0 ? `${MINUS}${group(String(-n))}` : group(String(n));
}

/** A factor: 4.64×. */
export function times(x: number): string {
  return `${sig(x)}×`;
}

/** An estimate with its interval: `56.3% [53.2%, 59.3%]`; the estimate alone when the interval is undefined (n < 2). */
export function withInterval(
  i: { estimate: number; low: number; high: number },
  f: (x: number) => string,
): string {
  if (!(Number.isFinite(i.low) && Number.isFinite(i.high))) return f(i.estimate);
  return `${f(i.estimate)} [${f(i.low)}, ${f(i.high)}]`;
}

/** Seconds, 3 significant figures: 5 s, 61.7 s. */
export function seconds(s: number): string {
  return `${sig(s)} s`;
}

/** A duration in seconds in the unit a reader expects: 0, 1 h, 3 h, 1 day, 4 days, 90 s. */
export function duration(s: number): string {
  finite(s, 'duration');
  if (s === 0) return '0';
  if (s % 86_400 === 0) return s === 86_400 ? '1 day' : `${count(s / 86_400)} days`;
  if (s % 3600 === 0) return `${count(s / 3600)} h`;
  if (s % 60 === 0) return `${count(s / 60)} min`;
  return seconds(s);
}

/** Arithmetic mean (left to right, so the same on every run); NaN for an empty list. */
export function mean(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return xs.length ? s / xs.length : Number.NaN;
}

/** Sum, left to right. */
export function sum(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return s;
}

/** A Markdown table: a header row, the alignment row and the rows. `right` marks right-aligned columns. */
export function table(header: string[], rows: string[][], right: boolean[] = []): string {
  for (const c of [...header, ...rows.flat()])
    if (c.includes('|') || c.includes('\n'))
      throw new Error(`docs: table cell ${JSON.stringify(c)} holds | or a newline`);
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const align = header.map((_, i) => (right[i] ? '---:' : '---'));
  return [line(header), `|${align.join('|')}|`, ...rows.map(line)].join('\n');
}

/** Joins words as English does: a, b and c. */
export function andList(xs: string[]): string {
  if (xs.length <= 1) return xs.join('');
  return `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`;
}

/**
 * A paragraph wrapped at `width` (110) columns, as the hand-written Markdown is; never inside a `code span`
 * (a command stays on one line), nor before a word Markdown would read as a list marker.
 */
export function para(text: string, width = 110): string {
  const words: string[] = [];
  let cur = '';
  let code = false;
  for (const ch of text) {
    if (ch === '`') code = !code;
    if (ch === ' ' && !code) {
      if (cur) words.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur) words.push(cur);
  const lines: string[] = [];
  let line = '';
  // a line must not start with what Markdown reads as a list item, quote, heading or table row
  const risky = (w: string) => /^([-+*>#=|]+|\d+[.)])$/.test(w);
  for (const w of words) {
    if (line && line.length + 1 + w.length > width && !risky(w)) {
      lines.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) lines.push(line);
  return lines.join('\n');
}
