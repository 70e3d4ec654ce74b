/**
 * Generated blocks in Markdown files: the lines between a line `<!-- generated:ID -->` and the next line
 * `<!-- /generated -->` are written by `npm run docs:experiments`; everything outside the markers is
 * hand-written and left as it is.
 */

/** The opening marker of block `id`. */
export function openMarker(id: string): string {
  return `<!-- generated:${id} -->`;
}
/** The closing marker of every block. */
export const CLOSE_MARKER = '<!-- /generated -->';

/** An opening marker on a line of its own (a marker quoted inside a line of prose is not one). */
const OPEN_RE = /^<!-- generated:([A-Za-z0-9._:-]+) -->$/gm;

/** One block found in a file: its id and its content (the lines between the marker lines). */
export interface Block {
  id: string;
  content: string;
  /** Offsets of the content in the file (from the end of the opening marker to the closing marker). */
  start: number;
  end: number;
}

/**
 * Every generated block of `text`, in order: an opening marker line, then the first closing marker line
 * after it. Throws on an unclosed block, a block opened inside another, or an id used twice.
 */
export function readBlocks(text: string, file = 'file'): Map<string, Block> {
  const out = new Map<string, Block>();
  const closeRe = /^<!-- \/generated -->$/gm;
  for (const m of text.matchAll(OPEN_RE)) {
    const id = m[1];
    const start = m.index + m[0].length;
    closeRe.lastIndex = start;
    const close = closeRe.exec(text);
    const end = close ? close.index : -1;
    const nextOpen = new RegExp(OPEN_RE.source, 'gm');
    nextOpen.lastIndex = start;
    const next = nextOpen.exec(text);
    if (end < 0 || (next && next.index < end))
      throw new Error(`${file}: block ${id} has no ${CLOSE_MARKER} line before the next block`);
    if (out.has(id)) throw new Error(`${file}: block ${id} appears twice`);
    // the content sits on its own lines between the markers
    const content = text.slice(start, end).replace(/^\n/, '').replace(/\n$/, '');
    out.set(id, { id, content, start, end });
  }
  return out;
}

/**
 * `text` with the content of each block in `blocks` replaced. Throws when a block is missing from the file
 * (add its markers where it belongs).
 */
export function replaceBlocks(text: string, blocks: Map<string, string>, file = 'file'): string {
  const found = readBlocks(text, file);
  const missing = [...blocks.keys()].filter((id) => !found.has(id));
  if (missing.length)
    throw new Error(
      `${file}: no markers for ${missing.join(', ')}; add ${missing.map((id) => `${openMarker(id)} … ${CLOSE_MARKER}`).join(', ')} where the text belongs`,
    );
  let out = '';
  let at = 0;
  for (const b of [...found.values()].sort((x, y) => x.start - y.start)) {
    const content = blocks.get(b.id);
    if (content === undefined) continue;
    out += `${text.slice(at, b.start)}\n${content}\n`;
    at = b.end;
  }
  return out + text.slice(at);
}

/**
 * A line diff of two texts (longest common subsequence): `  ` unchanged, `- ` only in `a`, `+ ` only in
 * `b`; unchanged lines more than `context` lines from a change are left out.
 */
export function lineDiff(a: string, b: string, context = 1): string {
  const x = a.split('\n');
  const y = b.split('\n');
  const n = x.length;
  const m = y.length;
  const L: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      L[i][j] = x[i] === y[j] ? L[i + 1][j + 1] + 1 : Math.max(L[i + 1][j], L[i][j + 1]);
  const lines: [' ' | '-' | '+', string][] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && x[i] === y[j]) {
      lines.push([' ', x[i++]]);
      j++;
    } else if (i < n && (j === m || L[i + 1][j] >= L[i][j + 1])) lines.push(['-', x[i++]]);
    else lines.push(['+', y[j++]]);
  }
  const changed = lines.map(([k]) => k !== ' ');
  const near = (k: number) => {
    for (let d = -context; d <= context; d++) if (changed[k + d]) return true;
    return false;
  };
  const out: string[] = [];
  let skipped = false;
  lines.forEach(([k, s], idx) => {
    if (near(idx)) {
      out.push(`${k} ${s}`);
      skipped = false;
    } else if (!skipped) {
      out.push('  …');
      skipped = true;
    }
  });
  return out.join('\n');
}
