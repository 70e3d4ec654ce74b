/**
 * The bad-input corpus (test/fixtures/bad-input/cases.json): malformed configs, experiment files (.json and
 * .ts), price CSVs and command-line flag sets, each with the exit code (2) and the message it must produce:
 * the field or file at fault and what is allowed. Cases run through the command line's `main` in process
 * (fast), those with TypeScript experiment files and a sample of the rest through the built binary (in
 * process, under vitest, `backstop-sim` would resolve to the TypeScript sources and be compiled anew).
 * Nothing may be created, and nothing under test/fixtures/bad-input/ changed (its results directories, damaged
 * on purpose, are what `analyze`, `report` and `export` are given): every file is hashed before and after.
 */
import { createHash } from 'node:crypto';
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
  return (a[0] === 'run' || a[0] === 'game') && !a.includes('--out') ? [...a, '--out', out] : a;
};

/** Every file under `dir` (recursively) with the SHA-256 of its bytes. */
function hashTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const p = join(e.parentPath, e.name);
    out[p.slice(DIR.length + 1)] = e.isFile()
      ? createHash('sha256').update(readFileSync(p)).digest('hex')
      : e.isDirectory()
        ? 'dir'
        : 'other';
  }
  return out;
}

describe('bad-input corpus', () => {
  const scratch = tmp();
  const before = readdirSync(DIR).sort();
  const hashes = hashTree(DIR);
  afterEach(() => vi.restoreAllMocks());

  it('has at least 150 cases, configs, experiment files, price CSVs, flags and results directories among them', () => {
    expect(cases.length).toBeGreaterThanOrEqual(150);
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
    expect(
      cases.filter((c) => c.args.some((x) => x.startsWith('{dir}/results/'))).length,
    ).toBeGreaterThanOrEqual(15);
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
  it('changes no file under the fixtures (the results directories given to analyze, report, export)', () => {
    const after = hashTree(DIR);
    expect(Object.keys(hashes).some((k) => k.startsWith('results/'))).toBe(true);
    expect(after).toEqual(hashes);
  });
  it('leaves Object.prototype unpolluted after the cases', () =>
    expect(({} as Record<string, unknown>).polluted).toBeUndefined());

  it('the built binary exits 2 with the same messages (a sample)', () => {
    // about 10 of them: each spawn costs half a second
    const step = Math.ceil(cases.length / 10);
    for (const c of cases.filter((c, i) => i % step === 0 && !viaBin(c))) {
      const out = join(scratch, `bin-${c.name.replace(/\W+/g, '-')}`);
      const r = cli(argv(c, out), { cwd: ROOT });
      expect(r.code, `${c.name}: ${r.stderr}`).toBe(c.code);
      expect(r.stderr).toMatch(new RegExp(c.message));
      expect(existsSync(out)).toBe(false);
    }
  });
});
