/**
 * No runtime import cycles (issue 19): biome's `noImportCycles` rule, set in biome.json with `ignoreTypes`
 * (a type-only import is erased by tsc, so it cannot load modules in a surprising order), is part of
 * `npm run lint`; this test makes CI enforce it too, and checks that the rule as configured catches a cycle.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from './cli-helpers.js';

const BIOME = join(ROOT, 'node_modules', '.bin', 'biome');
const ONLY = '--only=suspicious/noImportCycles';

function biome(cwd: string, ...paths: string[]) {
  const r = spawnSync(BIOME, ['lint', ONLY, '--colors=off', '--vcs-enabled=false', ...paths], {
    cwd,
    encoding: 'utf8',
  });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('import cycles', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  function project(files: Record<string, string>): string {
    const d = mkdtempSync(join(tmpdir(), 'bs-cycles-'));
    dirs.push(d);
    copyFileSync(join(ROOT, 'biome.json'), join(d, 'biome.json'));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(d, name), text);
    return d;
  }

  it('the sources have none', () => {
    const r = biome(ROOT, 'src', 'agents', 'experiments', 'scripts', 'bench', 'test');
    expect(r.out).not.toContain('noImportCycles');
    expect(r.status).toBe(0);
  });

  it('the configured rule fails on a runtime cycle and names it', () => {
    const d = project({
      'a.ts': "import { b } from './b.ts';\nexport const a = () => b;\n",
      'b.ts': "import { a } from './a.ts';\nexport const b = () => a;\n",
    });
    const r = biome(d, '.');
    expect(r.status).not.toBe(0);
    expect(r.out).toContain('lint/suspicious/noImportCycles');
    expect(r.out).toContain('a.ts');
  });

  it('a cycle through a type-only import is allowed (erased by the compiler)', () => {
    const d = project({
      'a.ts': "import type { B } from './b.ts';\nexport interface A { b?: B }\nexport const a = 1;\n",
      'b.ts': "import { a } from './a.ts';\nexport interface B { n: number }\nexport const b = a;\n",
    });
    const r = biome(d, '.');
    expect(r.out).not.toContain('noImportCycles');
    expect(r.status).toBe(0);
  });
});
