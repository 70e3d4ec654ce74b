/**
 * The package as users install it (issue 17): `npm pack`, then `npm install` of the tarball into an empty
 * folder, offline (the dependencies come from npm's cache, which the repository's `npm ci` filled), then every shipped
 * experiment's small preset run by name with the installed binary — the first release crashed there
 * ("cannot find the package root"; black-thursday's CSV not shipped).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, readArrow, tmp } from './cli-helpers.js';

const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const app = tmp('bs-installed-');
let bin: string;
let installed: string;

/** Runs the installed binary in the app folder. */
function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((ok) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: app, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('close', (code) => ok({ code, stdout, stderr }));
  });
}

/**
 * The app's package.json and lockfile: the package's own dependencies at the versions of its lockfile, so
 * that `npm ci --offline` takes them from npm's cache (a plain `npm install` of the tarball would ask the
 * registry for the packuments, which `npm ci` does not cache).
 */
function writeApp(): void {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8'));
  const packages: Record<string, { dev?: boolean }> = {
    '': { name: 'an-app', dependencies: pkg.dependencies } as never,
  };
  for (const [k, v] of Object.entries(lock.packages as Record<string, { dev?: boolean }>))
    if (k !== '' && !v.dev) packages[k] = v;
  const appPkg = { name: 'an-app', private: true, dependencies: pkg.dependencies };
  writeFileSync(join(app, 'package.json'), JSON.stringify(appPkg, null, 2));
  writeFileSync(
    join(app, 'package-lock.json'),
    JSON.stringify({ ...lock, name: 'an-app', version: undefined, packages }, null, 2),
  );
}

beforeAll(() => {
  // dist/ is built (pretest); --ignore-scripts skips building it again
  const out = execFileSync(NPM, ['pack', '--ignore-scripts', '--json', '--pack-destination', app], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  const tarball = join(app, JSON.parse(out)[0].filename);
  writeApp();
  const npm = (args: string[]) =>
    execFileSync(NPM, [...args, '--offline', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: app,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  npm(['ci']);
  npm(['install', tarball]);
  installed = join(app, 'node_modules', 'backstop-sim');
  bin = join(installed, pkg.bin['backstop-sim']);
}, 300_000);
afterAll(() => rmSync(app, { recursive: true, force: true }));

describe('the packed tarball installed in an empty folder, offline', () => {
  it('ships what it needs: compiled code, experiments, agents, data, docs (the README links them), LICENSE; no tests', () => {
    for (const p of ['dist/src/cli.js', 'dist/src/index.js', 'dist/src/index.d.ts', 'LICENSE', 'README.md'])
      expect(existsSync(join(installed, p)), p).toBe(true);
    for (const d of ['experiments', 'agents', 'data', 'deploy', 'docs'])
      expect(readdirSync(join(installed, d)).length, d).toBeGreaterThan(0);
    expect(existsSync(join(installed, 'test'))).toBe(false);
    // no benchmark or docs scripts, no source maps pointing at sources that are not shipped
    for (const p of ['dist/bench', 'dist/scripts', 'src'])
      expect(existsSync(join(installed, p)), p).toBe(false);
    const files = readdirSync(join(installed, 'dist'), { recursive: true, encoding: 'utf8' });
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
  });

  it('--version prints the version', async () => {
    const r = await run(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  // every experiment shipped, two at a time (one worker each): each by name, its small preset
  const names = readdirSync(join(ROOT, 'experiments'))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => f.slice(0, -3));
  it(`runs every shipped experiment's small preset by name (${names.length}) and writes its results`, async () => {
    expect(readdirSync(join(installed, 'experiments')).filter((f) => f.endsWith('.ts')).length).toBe(
      names.length,
    );
    const failures: string[] = [];
    const queue = [...names];
    const lane = async () => {
      for (let n = queue.shift(); n; n = queue.shift()) {
        const r = await run([
          'run',
          n,
          '--preset',
          'small',
          '--workers',
          '1',
          '--quiet',
          '--out',
          join('out', n),
        ]);
        if (r.code !== 0) failures.push(`${n}: exit ${r.code}: ${r.stderr.slice(-400)}`);
        else if (readArrow(join(app, 'out', n, 'runs.arrow')).numRows < 1) failures.push(`${n}: no rows`);
      }
    };
    await Promise.all([lane(), lane()]);
    expect(failures).toEqual([]);
  }, 600_000);

  it("a project's own experiments/<name> shadows the shipped one of that name; both are listed when unknown", async () => {
    mkdirSync(join(app, 'experiments'), { recursive: true });
    writeFileSync(
      join(app, 'experiments', 'baseline.json'),
      JSON.stringify({ name: 'my-baseline', runs: 2 }),
    );
    const r = await run(['validate', 'baseline']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).experiment).toBe('my-baseline');
    writeFileSync(join(app, 'experiments', 'mine.json'), JSON.stringify({ name: 'mine', runs: 2 }));
    const u = await run(['validate', 'no-such']);
    expect(u.code).toBe(2);
    expect(u.stderr).toMatch(/known: .*black-thursday.*mine/);
    rmSync(join(app, 'experiments'), { recursive: true, force: true });
  });

  it('what npm start does, at the small preset: the analysis table and the report', async () => {
    const r = await run([
      'run',
      'baseline',
      '--preset',
      'small',
      '--analyze',
      '--report',
      '--quiet',
      '--out',
      'start',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Loss and insolvency/);
    expect(existsSync(join(app, 'start', 'report', 'index.html'))).toBe(true);
  });
});
