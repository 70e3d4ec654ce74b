/**
 * The bad-input corpus (test/fixtures/bad-input/cases.json): malformed configs, experiment files (.json and
 * .ts), price CSVs and command-line flag sets, each with the exit code (2) and the message it must produce:
 * the field or file at fault and what is allowed. Cases run through the command line's `main` in process
 * (fast), those with TypeScript experiment files and a sample of the rest through the built binary (in
 * process, under vitest, `backstop-sim` would resolve to the TypeScript sources and be compiled anew).
 * Nothing may be created.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli.js';
import { cli, FIX, ROOT, tmp } from './cli-helpers.js';

const DIR = join(FIX, 'bad-input');
interface Case {
  name: string;
  args: string[];
  code: number;
  message: string;
}
const { cases } = JSON.parse(readFileSync(join(DIR, 'cases.json'), 'utf8')) as { cases: Case[] };
const argv = (c: Case, out: string) => {
  const a = c.args.map((x) => x.replace('{dir}', DIR));
  return a[0] === 'run' && !a.includes('--out') ? [...a, '--out', out] : a;
};

describe('bad-input corpus', () => {
  const scratch = tmp();
  const before = readdirSync(DIR).sort();
  afterEach(() => vi.restoreAllMocks());

  it('has at least 30 cases, configs, experiment files, price CSVs and flags among them', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
    const files = cases.flatMap((c) => c.args.filter((x) => x.startsWith('{dir}/')));
    expect(files.some((f) => f.endsWith('.ts'))).toBe(true);
    expect(files.some((f) => f.includes('replay-'))).toBe(true);
    expect(cases.filter((c) => c.name.startsWith('flags:')).length).toBeGreaterThanOrEqual(5);
  });

  const viaBin = (c: Case) => c.args.some((x) => x.endsWith('.ts'));
  for (const c of cases) {
    it(c.name, async () => {
      const out = join(scratch, c.name.replace(/\W+/g, '-'));
      if (viaBin(c)) {
        const r = cli(argv(c, out), { cwd: ROOT });
        expect(r.code, r.stderr).toBe(c.code);
        expect(r.stderr).toMatch(new RegExp(c.message));
        expect(existsSync(out)).toBe(false);
        return;
      }
      let err = '';
      const write = (s: string | Uint8Array) => {
        err += String(s);
        return true;
      };
      vi.spyOn(process.stderr, 'write').mockImplementation(write as typeof process.stderr.write);
      vi.spyOn(process.stdout, 'write').mockImplementation((() => true) as typeof process.stdout.write);
      const code = await main(['node', 'backstop-sim', ...argv(c, out)]);
      vi.restoreAllMocks();
      expect(code, err).toBe(c.code);
      expect(err).toMatch(new RegExp(c.message));
      expect(existsSync(out)).toBe(false);
    });
  }

  it('creates nothing next to the inputs', () => expect(readdirSync(DIR).sort()).toEqual(before));

  it('the built binary exits 2 with the same messages (a sample)', () => {
    for (const c of cases.filter((c, i) => i % 12 === 0 && !viaBin(c))) {
      const out = join(scratch, `bin-${c.name.replace(/\W+/g, '-')}`);
      const r = cli(argv(c, out), { cwd: ROOT });
      expect(r.code, `${c.name}: ${r.stderr}`).toBe(c.code);
      expect(r.stderr).toMatch(new RegExp(c.message));
      expect(existsSync(out)).toBe(false);
    }
  });
});
