/** Configs already frozen in this thread (a runner's worker runs thousands of runs of a few configs). */
const frozen = new WeakSet<object>();

/**
 * Freezes a config, deeply: the runs of a batch share their config object within a worker thread, so a
 * plug-in that changed it (`ctx.cfg.venue.takerFee = 0`) would change every later run of that thread, and
 * the results would depend on the number of workers. Frozen, such a write throws and fails the run, naming
 * the field in the error. Typed arrays (replay data) cannot be frozen and are left as they are. The runner's
 * workers freeze their configs once (about 18 µs a config); `simulate()` parses a config of its own per call.
 */
export function freezeConfig(cfg: object): void {
  if (frozen.has(cfg)) return;
  const stack: object[] = [cfg];
  const seen = new Set<object>();
  while (stack.length > 0) {
    const o = stack.pop()!;
    if (ArrayBuffer.isView(o) || seen.has(o)) continue;
    seen.add(o);
    Object.freeze(o);
    for (const v of Object.values(o)) if (v !== null && typeof v === 'object') stack.push(v);
  }
  frozen.add(cfg);
}
