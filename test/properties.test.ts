/**
 * Property-based invariants over random valid configs (see test/property-arbitraries.ts and
 * test/invariants.ts). CI runs PROPERTY_RUNS (default 400) configs with a fixed fast-check seed;
 * `npm run soak` runs thousands (SOAK_RUNS, default 3000) with a fresh seed each time (printed, so a
 * failure can be replayed with PROPERTY_SEED). Shrunk counterexamples are kept as regression cases in
 * test/fixtures/regressions/*.json and run first, by the same check.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FIX } from './cli-helpers.js';
import { checkRun } from './invariants.js';
import { caseArb } from './property-arbitraries.js';

const SOAK = process.env.SOAK_RUNS !== undefined;
const RUNS = Number(process.env.SOAK_RUNS ?? process.env.PROPERTY_RUNS ?? 400);
const SEED = Number(process.env.PROPERTY_SEED ?? (SOAK ? Date.now() % 2 ** 31 : 20_250_909));
const REG = join(FIX, 'regressions');

describe('regression cases (shrunk counterexamples of the property suite)', () => {
  const files = readdirSync(REG).filter((f) => f.endsWith('.json'));
  it('has some', () => expect(files.length).toBeGreaterThan(0));
  for (const f of files) {
    it(f, () => {
      const c = JSON.parse(readFileSync(join(REG, f), 'utf8')) as { config: unknown; seed: number };
      checkRun(c.config, c.seed);
    });
  }
});

describe('invariants hold on random valid configs', () => {
  it(
    `${RUNS} configs (fast-check seed ${SEED}): finite outputs, conservation, who paid, non-negative fund and shares, ADL bounded, deterministic`,
    () => {
      if (SOAK) process.stderr.write(`property seed ${SEED}, ${RUNS} configs\n`);
      fc.assert(
        fc.property(caseArb, ({ config, seed }) => {
          checkRun(config, seed);
        }),
        { numRuns: RUNS, seed: SEED, endOnFailure: false },
      );
    },
    Math.max(120_000, RUNS * 2_000),
  );
});
