/**
 * The piscina worker of the game's pool driver: simulates a slice of one profile's runs and returns each
 * run's metrics and group payoffs (or its error), exactly what the in-process driver returns.
 */
import '../index.js';
import type { ProfileRun } from '../analysis/game-run.js';
import { loadConfigModules } from '../config/modules.js';
import type { SimConfigInput } from '../config/schema.js';
import { simulate } from '../simulate.js';

/** One task: the runs of `seeds` of one profile's config. */
export interface ProfileTask {
  config: SimConfigInput;
  seeds: number[];
  baseDir?: string;
}

const loaded = new Map<string, Promise<unknown>>();

/** Runs one task (also usable in-process). */
export async function runProfileTask(task: ProfileTask): Promise<ProfileRun[]> {
  const mods = (task.config as { strategies?: unknown }).strategies;
  if (Array.isArray(mods) && mods.length > 0) {
    const key = JSON.stringify([mods, task.baseDir]);
    let p = loaded.get(key);
    if (!p) {
      p = loadConfigModules(task.config, task.baseDir ?? process.cwd());
      loaded.set(key, p);
    }
    await p;
  }
  return task.seeds.map((seed): ProfileRun => {
    try {
      const r = simulate(task.config, { seed, baseDir: task.baseDir });
      return { metrics: r.metrics, groups: r.groups };
    } catch (e) {
      return { error: e instanceof Error ? e.message : String(e) };
    }
  });
}

export default runProfileTask;
