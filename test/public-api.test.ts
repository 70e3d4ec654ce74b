/**
 * Built-ins are written as a user's plug-in would be (issue 19): the strategies in `agents/` and the stages in
 * `src/waterfall/stages/` import only the plug-in API (`src/plugin.ts`), zod and files of their own folder.
 * `npm run lint` enforces it with biome's `noRestrictedImports` (biome.json's override); this test checks that
 * the rule as configured refuses an internal import, that the tree keeps it, that `backstop-sim` exports
 * every name of the plug-in API (so whatever a built-in uses, a user's module can import), and that the
 * plug-in API loads neither the runner nor the analysis (a worker's plug-ins pull in no Arrow).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as api from '../src/index.js';
import * as plugin from '../src/plugin.js';
import { ROOT } from './cli-helpers.js';

const BIOME = join(ROOT, 'node_modules', '.bin', 'biome');
const ONLY = '--only=style/noRestrictedImports';

function biome(cwd: string, ...paths: string[]) {
  const r = spawnSync(BIOME, ['lint', ONLY, '--colors=off', '--vcs-enabled=false', ...paths], {
    cwd,
    encoding: 'utf8',
  });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/** The modules `file` imports at run time (type-only imports are erased), as absolute paths of .ts files. */
function runtimeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  const re = /^(?:import|export)\s+(type\s+)?(?:[^;]*?\s+from\s+)?'([^']+)';/gms;
  for (const m of text.matchAll(re)) {
    if (m[1]) continue;
    const spec = m[2];
    out.push(spec.startsWith('.') ? resolve(dirname(file), spec.replace(/\.js$/, '.ts')) : spec);
  }
  return out;
}

/** Every module reached from `entry` at run time: package names as written, our files relative to the root. */
function reach(entry: string): Set<string> {
  const seen = new Set<string>();
  const todo = [entry];
  while (todo.length > 0) {
    const f = todo.pop()!;
    for (const m of runtimeImports(f)) {
      const key = m.startsWith('/') ? relative(ROOT, m) : m;
      if (seen.has(key)) continue;
      seen.add(key);
      if (m.startsWith('/')) todo.push(m);
    }
  }
  return seen;
}

describe('built-ins import only the plug-in API', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('the rule refuses a built-in strategy or stage that imports an internal module, and names the file', () => {
    const d = mkdtempSync(join(tmpdir(), 'bs-public-api-'));
    dirs.push(d);
    copyFileSync(join(ROOT, 'biome.json'), join(d, 'biome.json'));
    mkdirSync(join(d, 'agents'));
    mkdirSync(join(d, 'src/waterfall/stages'), { recursive: true });
    writeFileSync(
      join(d, 'agents/ok.ts'),
      "import { h } from './helper.js';\nimport { a } from '../src/plugin.js';\nexport const x = [a, h];\n",
    );
    writeFileSync(
      join(d, 'agents/bad.ts'),
      "import { Simulation } from '../src/engine/simulation.js';\nexport const x = Simulation;\n",
    );
    writeFileSync(
      join(d, 'src/waterfall/stages/ok.ts'),
      "import { z } from 'zod';\nimport { a } from '../../plugin.js';\nexport const x = [a, z];\n",
    );
    writeFileSync(
      join(d, 'src/waterfall/stages/bad.ts'),
      "import { moveCash } from '../ops.js';\nexport const x = moveCash;\n",
    );
    const r = biome(d, 'agents', 'src');
    expect(r.status).not.toBe(0);
    expect(r.out).toContain('lint/style/noRestrictedImports');
    expect(r.out).toContain('agents/bad.ts');
    expect(r.out).toContain('src/waterfall/stages/bad.ts');
    expect(r.out).not.toContain('agents/ok.ts');
    expect(r.out).not.toContain('stages/ok.ts');
  });

  it('the shipped strategies and stages keep it', () => {
    const r = biome(ROOT, 'agents', 'src/waterfall/stages');
    expect(r.out).not.toContain('noRestrictedImports');
    expect(r.status).toBe(0);
    // and the rule is really applied to them: every built-in imports the plug-in API
    for (const f of [join(ROOT, 'agents/noise.ts'), join(ROOT, 'src/waterfall/stages/vault.ts')]) {
      expect(runtimeImports(f)).toContain(join(ROOT, 'src/plugin.ts'));
    }
  });

  it('backstop-sim exports every name of the plug-in API, as the same binding', () => {
    const names = Object.keys(plugin);
    expect(names.length).toBeGreaterThan(40);
    const all = api as Record<string, unknown>;
    for (const k of names) expect(all[k], k).toBe((plugin as Record<string, unknown>)[k]);
  });

  it('the plug-in API loads no runner, analysis, Arrow or worker pool, and registers nothing', () => {
    const reached = reach(join(ROOT, 'src/plugin.ts'));
    const ours = [...reached].filter((m) => m.startsWith('src/'));
    expect(ours).toContain('src/waterfall/stage.ts');
    for (const m of reached) {
      expect(m, m).not.toMatch(/^src\/(analysis|runner|experiment)\//);
      expect(m, m).not.toMatch(/^(apache-arrow|piscina)/);
      expect(m, m).not.toMatch(/^src\/(builtins|index|engine\/simulation)\.ts$/);
      expect(m, m).not.toMatch(/^(agents|src\/waterfall\/stages)\//);
    }
    // the walker does see what the full API loads
    expect(reach(join(ROOT, 'src/index.ts'))).toContain('apache-arrow');
  });
});
