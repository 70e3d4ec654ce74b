/**
 * The small-preset figures in experiments/README.md are what the code produces. Every experiment's small
 * preset is run in-process, with the runs the docs script uses (scripts/docs/experiments/<name>.ts names the
 * command), its block rendered and compared byte for byte with the committed one. When the model changes,
 * regenerate the docs: `npm run docs:experiments` (everything) or `-- --small-only` (these blocks only).
 */
import { describe, expect, it } from 'vitest';
import { DOCS } from '../scripts/docs/experiments/index.js';
import { count, param, paramUsd, pct, sig, usd } from '../scripts/docs/format.js';
import { lineDiff, readBlocks, replaceBlocks } from '../scripts/docs/markers.js';
import {
  EXPERIMENTS_README,
  fullId,
  README,
  readDocs,
  SUMMARY,
  smallBlock,
  smallId,
} from '../scripts/docs/render.js';

const committed = readBlocks(readDocs(EXPERIMENTS_README), EXPERIMENTS_README);

describe(`${EXPERIMENTS_README}: the small-preset figures are what the code produces`, () => {
  for (const d of DOCS)
    it(d.name, async () => {
      const s = await smallBlock(d);
      const c = committed.get(s.id);
      expect(c, `${EXPERIMENTS_README} has no block ${s.id}`).toBeDefined();
      if (c!.content !== s.text)
        expect.fail(
          `${EXPERIMENTS_README} block ${s.id} differs from what the code produces ` +
            `(\`${s.data.command}\`); regenerate with npm run docs:experiments -- --small-only ` +
            `(or without --small-only after a model change) and commit:\n${lineDiff(c!.content, s.text)}`,
        );
    });

  it('has the blocks of the full figures, the summary and README.md', () => {
    for (const d of DOCS) expect(committed.has(fullId(d.name)), fullId(d.name)).toBe(true);
    expect(committed.has(SUMMARY)).toBe(true);
    const readme = readBlocks(readDocs(README), README);
    for (const d of DOCS) for (const id of Object.keys(d.readme ?? {})) expect(readme.has(id), id).toBe(true);
    // every small-preset block is there, and nothing else is generated in the file
    expect([...committed.keys()].sort()).toEqual(
      [SUMMARY, ...DOCS.flatMap((d) => [fullId(d.name), smallId(d.name)])].sort(),
    );
  });
});

describe('docs formatting (no locale, 3 significant figures)', () => {
  it('formats numbers the same on every machine', () => {
    expect(
      [4.894e6, 30_712_345, 545e6, 12_345, 999.95e3, 512.4, 0.0123, 0, -1.25e6, 7.61e9, 0.004].map(usd),
    ).toEqual(['4.89M', '30.7M', '545M', '12.3k', '1.00M', '512', '0.0123', '0', '−1.25M', '7.61B', '<0.01']);
    expect([0.5634, 0, 1, 0.0546, -0.0025, 1e-17].map(pct)).toEqual([
      '56.3%',
      '0%',
      '100%',
      '5.46%',
      '−0.250%',
      '<0.001%',
    ]);
    expect([1234.5, 0.000123, -2.4].map((x) => sig(x))).toEqual(['1,230', '0.000123', '−2.40']);
    expect([0.6, 2.4, 0.997, 5200].map(param)).toEqual(['0.6', '2.4', '0.997', '5,200']);
    expect([250_000, 1e6, 2e7].map(paramUsd)).toEqual(['250k', '1M', '20M']);
    expect(count(7000)).toBe('7,000');
  });

  it('replaces only the text between the markers', () => {
    const text =
      'a\n<!-- generated:x -->\nold\n<!-- /generated -->\nb\n<!-- generated:y -->\nkeep\n<!-- /generated -->\n';
    expect(replaceBlocks(text, new Map([['x', 'new\nlines']]))).toBe(
      'a\n<!-- generated:x -->\nnew\nlines\n<!-- /generated -->\nb\n<!-- generated:y -->\nkeep\n<!-- /generated -->\n',
    );
    expect(() => replaceBlocks(text, new Map([['z', '']]))).toThrow(/no markers for z/);
    // a marker quoted in prose is not a block
    const quoted = 'the text between `<!-- generated:ID -->` and `<!-- /generated -->` is written\n';
    expect(readBlocks(quoted).size).toBe(0);
    expect(() => readBlocks('<!-- generated:a -->\nno end\n')).toThrow(/no <!-- \/generated --> line/);
  });
});
