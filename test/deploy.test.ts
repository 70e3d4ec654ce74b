/**
 * The cluster examples in deploy/: the Kubernetes manifests parse and hold the fields the flow relies on, the
 * Slurm scripts pass bash -n (and shellcheck where installed), and the Slurm flow runs here end to end with
 * the array variables faked: 4 array tasks and the merge write what one `run` writes, the submit wrapper
 * queues the merge after the array, and a TERM stops a task so that the same command resumes it.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { delimiter, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { z } from 'zod';
import { inCI } from './chromium.js';
import { BIN, cli, FIX, ROOT, tmp } from './cli-helpers.js';

const DEPLOY = join(ROOT, 'deploy');
const K8S = join(DEPLOY, 'k8s');
const ARRAY = join(DEPLOY, 'slurm-array.sh');
const MERGE = join(DEPLOY, 'slurm-merge.sh');
const SUBMIT = join(DEPLOY, 'slurm-submit.sh');
const SWEEP = join(FIX, 'sweep.json'); // its name is tiny-sweep: the results directory is not the file's name

// ---- Kubernetes: the fields we use, strictly (a misspelt key is an error, as the API server would say) ----
const name = z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'a DNS label');
const quantity = z.string().regex(/^\d+(\.\d+)?(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/, 'a quantity such as 4Gi');
const metadata = z.strictObject({ name, labels: z.record(z.string(), z.string()).optional() });
const resources = z.strictObject({
  requests: z.strictObject({ cpu: quantity, memory: quantity }),
  limits: z.strictObject({ cpu: quantity.optional(), memory: quantity }), // a memory limit: the cgroup cap
});
const container = z.strictObject({
  name,
  image: z.string().regex(/^[^\s:]+(:[\w.-]+)$/, 'an image with a tag'),
  imagePullPolicy: z.enum(['Always', 'IfNotPresent', 'Never']).optional(),
  command: z.array(z.string()).optional(),
  args: z.array(z.string()).min(1),
  resources,
  volumeMounts: z.array(z.strictObject({ name, mountPath: z.string().startsWith('/') })).min(1),
});
const podSpec = z.strictObject({
  restartPolicy: z.enum(['Never', 'OnFailure']),
  terminationGracePeriodSeconds: z.number().int().positive().optional(),
  securityContext: z
    .strictObject({
      runAsUser: z.number().int(),
      runAsGroup: z.number().int(),
      fsGroup: z.number().int(),
    })
    .partial()
    .optional(),
  containers: z.array(container).length(1),
  volumes: z
    .array(z.strictObject({ name, persistentVolumeClaim: z.strictObject({ claimName: name }) }))
    .min(1),
});
const podFailurePolicy = z.strictObject({
  rules: z
    .array(
      z
        .strictObject({
          action: z.enum(['FailJob', 'FailIndex', 'Ignore', 'Count']),
          onExitCodes: z
            .strictObject({
              containerName: name.optional(),
              operator: z.enum(['In', 'NotIn']),
              values: z.array(z.number().int()).min(1),
            })
            .optional(),
          // the upstream OpenAPI schema requires status (the API server defaults it)
          onPodConditions: z
            .array(z.strictObject({ type: z.string(), status: z.enum(['True', 'False', 'Unknown']) }))
            .optional(),
        })
        // Kubernetes: a rule has exactly one of onExitCodes and onPodConditions
        .refine((r) => (r.onExitCodes === undefined) !== (r.onPodConditions === undefined), {
          message: 'a rule needs exactly one of onExitCodes and onPodConditions',
        }),
    )
    .min(1),
});
const job = z.strictObject({
  apiVersion: z.literal('batch/v1'),
  kind: z.literal('Job'),
  metadata,
  spec: z.strictObject({
    completionMode: z.enum(['Indexed', 'NonIndexed']).optional(),
    completions: z.number().int().positive().optional(),
    parallelism: z.number().int().positive().optional(),
    backoffLimit: z.number().int().nonnegative().optional(),
    backoffLimitPerIndex: z.number().int().nonnegative().optional(),
    podFailurePolicy: podFailurePolicy.optional(),
    template: z.strictObject({ metadata: metadata.partial().optional(), spec: podSpec }),
  }),
});
const pvc = z.strictObject({
  apiVersion: z.literal('v1'),
  kind: z.literal('PersistentVolumeClaim'),
  metadata,
  spec: z.strictObject({
    accessModes: z
      .array(z.enum(['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod']))
      .min(1),
    storageClassName: z.string().optional(),
    resources: z.strictObject({ requests: z.strictObject({ storage: quantity }) }),
  }),
});
const manifest = z.discriminatedUnion('kind', [job, pvc]);
type Job = z.infer<typeof job>;

/** Every document of every YAML file in deploy/k8s/, parsed and checked. */
function manifests() {
  const files = readdirSync(K8S).filter((f) => /\.ya?ml$/.test(f));
  return files.flatMap((f) =>
    parseAllDocuments(readFileSync(join(K8S, f), 'utf8')).map((doc, k) => {
      expect(doc.errors, `${f} #${k}`).toEqual([]);
      const r = manifest.safeParse(doc.toJS());
      if (!r.success) throw new Error(`${f} #${k}: ${z.prettifyError(r.error)}`);
      return { file: f, doc: r.data };
    }),
  );
}

/** The value after `flag` in `args`. */
const flagValue = (args: string[], flag: string) => {
  const k = args.indexOf(flag);
  return k >= 0 ? args[k + 1] : undefined;
};
/** A shell glob (only `*`) as a regular expression of one path. */
const globRe = (g: string) =>
  new RegExp(`^${g.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replaceAll('*', '[^/]*')}$`);
const mountOf = (j: Job) => {
  const pod = j.spec.template.spec;
  const mount = pod.containers[0].volumeMounts[0];
  const vol = pod.volumes.find((v) => v.name === mount.name);
  return { path: mount.mountPath, claim: vol?.persistentVolumeClaim.claimName };
};

describe('deploy/k8s: the manifests', () => {
  const all = manifests();
  const jobs = all.map((m) => m.doc).filter((d): d is Job => d.kind === 'Job');
  const claims = all.map((m) => m.doc).filter((d) => d.kind === 'PersistentVolumeClaim');
  const shardJobs = jobs.filter((j) => j.spec.completionMode === 'Indexed');
  const mergeJobs = jobs.filter((j) => j.spec.completionMode !== 'Indexed');

  it('are an Indexed Job, a merge Job and a volume claim, valid against the schemas', () => {
    expect(all.map((m) => m.file).sort()).toEqual(['indexed-job.yaml', 'merge-job.yaml', 'pvc.yaml']);
    expect(shardJobs).toHaveLength(1);
    expect(mergeJobs).toHaveLength(1);
    expect(claims).toHaveLength(1);
    // the schemas do reject what they should: a misspelt field and a memory limit left out
    const good = shardJobs[0];
    const bad = structuredClone(good) as unknown as { spec: Record<string, unknown> };
    bad.spec.completionsMode = 'Indexed';
    expect(job.safeParse(bad).success).toBe(false);
    const noLimit = structuredClone(good);
    delete (noLimit.spec.template.spec.containers[0].resources.limits as { memory?: string }).memory;
    expect(job.safeParse(noLimit).success).toBe(false);
  });

  it('the Indexed Job: N pods, --shard auto/N --resume into the volume, a podFailurePolicy', () => {
    const j = shardJobs[0];
    const pod = j.spec.template.spec;
    const c = pod.containers[0];
    expect(j.spec.completions).toBeGreaterThan(1);
    expect(j.spec.parallelism).toBe(j.spec.completions);
    expect(c.args[0]).toBe('run');
    expect(flagValue(c.args, '--shard')).toBe(`auto/${j.spec.completions}`);
    expect(c.args).toContain('--resume');
    // a shard that completes with failed runs recorded must not be retried to exhaustion (exit 1)
    expect(c.args).toContain('--failures-ok');
    expect(Number(flagValue(c.args, '--workers'))).toBe(Number(c.resources.limits.cpu));
    const out = flagValue(c.args, '--out') ?? '';
    expect(out).toMatch(/-shards\/shard-\$\(JOB_COMPLETION_INDEX\)$/);
    expect(out.startsWith(`${mountOf(j).path}/`)).toBe(true);
    // podFailurePolicy needs restartPolicy Never (the API server refuses it otherwise)
    expect(pod.restartPolicy).toBe('Never');
    const rules = j.spec.podFailurePolicy?.rules ?? [];
    const failJob = rules.find((r) => r.action === 'FailJob');
    expect(failJob?.onExitCodes).toMatchObject({ containerName: c.name, operator: 'In' });
    expect(failJob?.onExitCodes?.values).toContain(2); // bad input: every pod would fail alike
    const ignore = rules.find((r) => r.action === 'Ignore');
    expect(ignore?.onPodConditions?.map((p) => p.type)).toContain('DisruptionTarget');
    // the experiment it names exists
    const v = cli(['validate', c.args[1]]);
    expect(v.code, v.stderr).toBe(0);
  });

  it('the merge Job reads exactly the shard directories from the same claim, a ReadWriteMany one', () => {
    const [shard, merge] = [shardJobs[0], mergeJobs[0]];
    for (const j of jobs) {
      if (j.spec.podFailurePolicy) expect(j.spec.template.spec.restartPolicy).toBe('Never');
      const claim = claims.find((p) => p.metadata.name === mountOf(j).claim);
      expect(claim, `${j.metadata.name}: claim ${mountOf(j).claim}`).toBeDefined();
      expect(claim?.spec.accessModes).toContain('ReadWriteMany');
    }
    expect(mountOf(merge)).toEqual(mountOf(shard));
    const mc = merge.spec.template.spec.containers[0];
    expect(mc.image).toBe(shard.spec.template.spec.containers[0].image);
    const words = [...(mc.command ?? []), ...mc.args].join(' ').split(/\s+/);
    const k = words.indexOf('merge');
    expect(k).toBeGreaterThan(0);
    expect(words.slice(0, k).join(' ')).toMatch(/node \/app\/bin\/backstop-sim\.js$/); // the image's entrypoint
    const glob = words[k + 1];
    const out = flagValue(words, '--out') ?? '';
    const shardOut = flagValue(shard.spec.template.spec.containers[0].args, '--out') ?? '';
    const re = globRe(glob);
    for (let i = 0; i < (shard.spec.completions ?? 0); i++)
      expect(shardOut.replace('$(JOB_COMPLETION_INDEX)', String(i))).toMatch(re);
    expect(out).toBe(shardOut.replace(/-shards\/shard-\$\(JOB_COMPLETION_INDEX\)$/, ''));
    expect(out).not.toMatch(re);
  });

  it('the Dockerfile builds dist/ in one stage and ships the package with production dependencies', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    const text = readFileSync(join(K8S, 'Dockerfile'), 'utf8');
    const lines = text.split('\n').filter((l) => l.trim() && !l.startsWith('#'));
    const stages = lines
      .join('\n')
      .split(/^FROM /m)
      .slice(1);
    expect(stages).toHaveLength(2);
    const [build, runtime] = stages;
    expect(build).toMatch(/^node:(2\d)[\w.-]* AS build/);
    expect(build).toMatch(/RUN npm ci .*--ignore-scripts/); // sources are copied after: no prepare yet
    expect(build).toMatch(/RUN npm run build/);
    expect(runtime).toMatch(/^node:(2\d)/);
    expect(runtime).toMatch(/RUN npm ci --omit=dev --ignore-scripts/); // prepare would need TypeScript
    expect(runtime).toMatch(/COPY --from=build \/app\/dist dist/);
    // the report's PNGs need a system font (resvg); the slim image has none
    expect(runtime).toMatch(/apt-get install .*fonts-dejavu-core/);
    // what the package ships (dist/… comes whole from the build stage; ! entries only leave files out)
    // (deploy/ ships in the package for those who submit from an install; the image does not need it)
    for (const f of (pkg.files as string[]).filter(
      (x) => !x.startsWith('!') && !x.startsWith('dist/') && x !== 'deploy',
    ))
      expect(runtime).toMatch(new RegExp(`^COPY .*\\s${f}$`, 'm'));
    expect(runtime).toContain(`ENTRYPOINT ["node", "/app/${pkg.bin['backstop-sim']}"]`);
    const ignore = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n');
    for (const p of ['node_modules', 'dist', 'results', '.git']) expect(ignore).toContain(p);
  });

  it('nothing in deploy/ runs npx (it would fetch from the registry on a cluster)', () => {
    const files = readdirSync(DEPLOY, { recursive: true, encoding: 'utf8' })
      .map((f) => join(DEPLOY, f))
      .filter((f) => statSync(f).isFile());
    expect(files.length).toBeGreaterThanOrEqual(7);
    // comments may say why not; no command line may use it
    const code = (f: string) =>
      readFileSync(f, 'utf8')
        .split('\n')
        .filter((l) => !/^\s*#/.test(l));
    for (const f of files) for (const l of code(f)) expect(l, f).not.toMatch(/\bnpx\b/);
    expect(readFileSync(ARRAY, 'utf8')).toMatch(/never npx/); // the test does read them
  });
});

// ---- Slurm ----
const scripts = readdirSync(DEPLOY)
  .filter((f) => f.endsWith('.sh'))
  .map((f) => join(DEPLOY, f));
const onPath = (cmd: string, path = process.env.PATH ?? '') =>
  path.split(delimiter).some((d) => d && existsSync(join(d, cmd)));
const shellcheck = onPath('shellcheck');

/** An environment with nothing of ours or the caller's Slurm in it: node and the system's tools. */
function baseEnv(work: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const nodeDir = join(work, 'node-bin');
  if (!existsSync(nodeDir)) {
    mkdirSync(nodeDir);
    symlinkSync(process.execPath, join(nodeDir, 'node'));
  }
  return { PATH: [nodeDir, '/usr/local/bin', '/usr/bin', '/bin'].join(delimiter), HOME: work, ...extra };
}
function bash(args: string[], cwd: string, env: NodeJS.ProcessEnv) {
  const r = spawnSync('bash', args, { cwd, env, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
/** `bash` without blocking: array tasks run side by side, as on a cluster. */
function bashAsync(args: string[], cwd: string, env: NodeJS.ProcessEnv) {
  const child = spawn('bash', args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const done = new Promise<{ code: number | null; stderr: string }>((res) =>
    child.on('close', (code) => res({ code, stderr })),
  );
  return { child, done };
}
const same = (a: string, b: string) =>
  expect(readFileSync(a).equals(readFileSync(b)), `${a} = ${b}`).toBe(true);

describe('deploy/*.sh: the Slurm scripts', () => {
  it('are executable, strict, and pass bash -n', () => {
    expect(scripts.map((s) => s.slice(DEPLOY.length + 1)).sort()).toEqual([
      'slurm-array.sh',
      'slurm-merge.sh',
      'slurm-submit.sh',
    ]);
    for (const s of scripts) {
      expect(statSync(s).mode & 0o111, s).not.toBe(0);
      expect(readFileSync(s, 'utf8')).toMatch(/^set -euo pipefail$/m);
      const r = spawnSync('bash', ['-n', s], { encoding: 'utf8' });
      expect(r.status, `${s}: ${r.stderr}`).toBe(0);
    }
    const array = readFileSync(ARRAY, 'utf8');
    expect(array).toMatch(/^#SBATCH --signal=B:TERM@\d+$/m);
    expect(array).toMatch(/^trap \w+ TERM$/m);
  });

  // skipped where shellcheck is missing, but not in CI (.ci/run installs it and sets CI=true)
  it.skipIf(!shellcheck && !inCI())(
    `pass shellcheck${shellcheck ? '' : ' (SKIPPED: shellcheck is not on PATH; apt-get install shellcheck)'}`,
    () => {
      const r = spawnSync('shellcheck', scripts, { encoding: 'utf8' });
      expect(r.status, r.stdout + r.stderr).toBe(0);
    },
  );

  it('4 array tasks and the merge write what one run writes (byte for byte)', async () => {
    const work = tmp('backstop-slurm-');
    // the installed command as npm puts it in the submit directory (no BACKSTOP_SIM, none on PATH)
    mkdirSync(join(work, 'node_modules', '.bin'), { recursive: true });
    symlinkSync(BIN, join(work, 'node_modules', '.bin', 'backstop-sim'));
    const results = join(work, 'scratch');
    const env = baseEnv(work, { RESULTS: results, SLURM_SUBMIT_DIR: work });
    if (onPath('backstop-sim', env.PATH)) console.warn('deploy test: a backstop-sim on PATH is used');
    const args = [
      '--preset',
      'tiny',
      '--set',
      'venue.takerFee=0.0007',
      '--series',
      '30',
      '--events',
      '--quiet',
    ];
    const task = (i: number) => ({
      ...env,
      SLURM_ARRAY_TASK_ID: String(i),
      SLURM_ARRAY_TASK_MIN: '0',
      SLURM_ARRAY_TASK_COUNT: '4',
      SLURM_CPUS_PER_TASK: '1',
    });
    const tasks = await Promise.all(
      [0, 1, 2, 3].map((i) => bashAsync([ARRAY, SWEEP, ...args], work, task(i)).done),
    );
    tasks.forEach((r, i) => {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain(`tiny-sweep (shard ${i}/4): 3 ok`);
    });
    const shards = join(results, 'tiny-sweep-shards');
    expect(readdirSync(shards).sort()).toEqual(['shard-0', 'shard-1', 'shard-2', 'shard-3']);
    // a task run again (a resubmitted array) has nothing left to do
    const before = readFileSync(join(shards, 'shard-0', 'runs.arrow'));
    const again = bash([ARRAY, SWEEP, ...args], work, task(0));
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/\(0 run now/);
    expect(readFileSync(join(shards, 'shard-0', 'runs.arrow')).equals(before)).toBe(true);

    const m = bash([MERGE, SWEEP], work, { ...env, SLURM_SUBMIT_DIR: undefined });
    expect(m.code, m.stderr).toBe(0);
    expect(m.stderr).toContain('merged 4 shard(s): 12 ok');
    const ref = join(work, 'ref');
    const one = cli(['run', SWEEP, ...args, '--workers', '1', '--out', ref]);
    expect(one.code, one.stderr).toBe(0);
    for (const f of ['runs.arrow', 'series.arrow', 'events.arrow'])
      same(join(ref, f), join(results, 'tiny-sweep', f));
  });

  it('refuse, exiting 2, without the array variables, with --out or --shard, or without the command', () => {
    const work = tmp('backstop-slurm-');
    const env = baseEnv(work, { BACKSTOP_SIM: BIN, SLURM_ARRAY_TASK_ID: '0', SLURM_ARRAY_TASK_COUNT: '2' });
    const cases: [string[], NodeJS.ProcessEnv, RegExp][] = [
      [[SWEEP], { ...env, SLURM_ARRAY_TASK_COUNT: undefined }, /not an array task/],
      [[SWEEP, '--out', 'x'], env, /--out is set by this script/],
      [[SWEEP, '--shard=1/2'], env, /--shard=1\/2 is set by this script/],
      [[join(work, 'nope.json')], env, /no such experiment file/],
    ];
    if (!onPath('backstop-sim', env.PATH))
      cases.push([[SWEEP], { ...env, BACKSTOP_SIM: undefined }, /backstop-sim not found: set BACKSTOP_SIM/]);
    for (const [args, e, message] of cases) {
      const r = bash([ARRAY, ...args], work, e);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    expect(readdirSync(work).sort()).toEqual(['node-bin']);
    const none = bash([MERGE, SWEEP], work, env);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no shards in results\/tiny-sweep-shards/);
  });

  // review: a shard that completed with a failed run recorded exited 1, so afterok never started the merge
  // and every resubmission did the same; and a stepped array (--array=0-6:2) skipped shards
  it('a stepped array whose runs partly fail: every task succeeds, the merge reports the failures (exit 1)', async () => {
    const work = tmp('backstop-slurm-');
    const env = baseEnv(work, { BACKSTOP_SIM: BIN });
    const failing = join(FIX, 'failing.experiment.ts');
    const task = (id: number) => ({
      ...env,
      SLURM_ARRAY_TASK_ID: String(id),
      SLURM_ARRAY_TASK_MIN: '0',
      SLURM_ARRAY_TASK_STEP: '2',
      SLURM_ARRAY_TASK_COUNT: '2',
      SLURM_CPUS_PER_TASK: '1',
    });
    const tasks = await Promise.all(
      [0, 2].map((id) => bashAsync([ARRAY, failing, '--quiet'], work, task(id)).done),
    );
    tasks.forEach((r, k) => {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain(`(shard ${k}/2)`);
    });
    const m = bash([MERGE, failing], work, env);
    expect(m.code).toBe(1);
    expect(m.stderr).toMatch(/merged 2 shard\(s\): 16 ok, 8 failed of 24 runs/);
  });

  it('the submit wrapper queues the merge after the array (sbatch --dependency=afterok:<array id>)', () => {
    const work = tmp('backstop-slurm-');
    const fake = join(work, 'fake-bin');
    mkdirSync(fake);
    const log = join(work, 'sbatch.log');
    // a fake sbatch: logs its arguments (one call a line, \x1f between them) and prints id;cluster
    writeFileSync(
      join(fake, 'sbatch'),
      [
        '#!/bin/bash',
        'printf "%s\\x1f" "$@" >>"$SBATCH_LOG"',
        'echo >>"$SBATCH_LOG"',
        'echo "$((4000 + $(wc -l <"$SBATCH_LOG")));cluster-a"',
        '',
      ].join('\n'),
    );
    chmodSync(join(fake, 'sbatch'), 0o755);
    const env = baseEnv(work, { SBATCH_LOG: log, BACKSTOP_SIM: BIN });
    env.PATH = `${fake}${delimiter}${env.PATH}`;
    const calls = () =>
      existsSync(log)
        ? readFileSync(log, 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((l) => l.split('\x1f').slice(0, -1))
        : [];
    const r = bash([SUBMIT, SWEEP, '4', '--preset', 'tiny', '--set', 'ticks=90'], work, env);
    expect(r.code, r.stderr).toBe(0);
    expect(calls()).toEqual([
      ['--parsable', '--array=0-3', ARRAY, SWEEP, '--preset', 'tiny', '--set', 'ticks=90'],
      ['--parsable', '--dependency=afterok:4001', '--kill-on-invalid-dep=yes', MERGE, SWEEP],
    ]);
    expect(r.stdout).toMatch(/tiny-sweep: array job 4001 \(4 shards\), merge job 4002/);
    for (const bad of [[SWEEP, '0'], [SWEEP, 'four'], [SWEEP]]) {
      const b = bash([SUBMIT, ...bad], work, env);
      expect(b.code).toBe(2);
      expect(b.stderr).toMatch(/usage: slurm-submit\.sh EXPERIMENT SHARDS/);
    }
    // what every task would refuse is found before anything is queued
    for (const [bad, re] of [
      [['no-such-experiment', '8'], /unknown experiment/],
      [[SWEEP, '4', '--out', 'x'], /--out is set by this script/],
      [[SWEEP, '4', '--runs', '0'], /--runs/],
    ] as const) {
      const b = bash([SUBMIT, ...bad], work, env);
      expect(b.code, bad.join(' ')).toBe(2);
      expect(b.stderr).toMatch(re);
    }
    expect(calls()).toHaveLength(2);
    // --force reaches the merge too (its output may hold another batch's results)
    const f = bash([SUBMIT, SWEEP, '2', '--force'], work, env);
    expect(f.code, f.stderr).toBe(0);
    expect(calls().at(-1)).toEqual([
      '--parsable',
      '--dependency=afterok:4003',
      '--kill-on-invalid-dep=yes',
      MERGE,
      SWEEP,
      '--force',
    ]);
  });

  it('TERM stops a task after its runs in flight (exit 143); the same command then resumes it', async () => {
    const work = tmp('backstop-slurm-');
    const env = baseEnv(work, {
      BACKSTOP_SIM: BIN,
      SLURM_ARRAY_TASK_ID: '0',
      SLURM_ARRAY_TASK_COUNT: '1',
      SLURM_CPUS_PER_TASK: '1',
    });
    // 160 runs of one run a chunk: the TERM comes once the first part is written, long before the last
    const args = [ARRAY, SWEEP, '--runs', '40', '--quiet'];
    const shard = join(work, 'results', 'tiny-sweep-shards', 'shard-0');
    const parts = join(shard, '.parts');
    const { child, done } = bashAsync(args, work, env);
    const t0 = Date.now();
    while (!(existsSync(parts) && readdirSync(parts).some((f) => f.endsWith('.part')))) {
      if (child.exitCode !== null || Date.now() - t0 > 30_000) break;
      await new Promise((res) => setTimeout(res, 20));
    }
    child.kill('SIGTERM');
    const { code, stderr } = await done;
    expect(code, stderr).toBe(143);
    expect(stderr).toMatch(/slurm-array\.sh: TERM: stopping backstop-sim/);
    expect(stderr).toMatch(/interrupted: \d+ of 160 runs done and kept/);
    expect(existsSync(join(shard, 'runs.arrow'))).toBe(false);
    const r = bash(args, work, env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/resuming: [1-9]\d* of 160 runs already done/);
    const ref = join(work, 'ref');
    const one = cli(['run', SWEEP, '--runs', '40', '--quiet', '--workers', '1', '--out', ref]);
    expect(one.code, one.stderr).toBe(0);
    same(join(ref, 'runs.arrow'), join(shard, 'runs.arrow'));
  });
});
