/**
 * The lock of an output directory: while a batch or a merge writes into a directory, `<dir>/.backstop.lock`
 * names its process, host and command. A second writer is refused at once (exit 2) instead of mixing its
 * runs with the first's. The lock is created whole or not at all (written under a temporary name, then
 * hard-linked to its name, which fails when a lock, or anything else, is there), and its holder touches it
 * every few seconds. A lock is stale, and taken over, when its process is gone (same host) or it has not
 * been touched for {@link STALE_MS} (another host, e.g. a Slurm job requeued on another node after its
 * first node died).
 */
import { randomBytes } from 'node:crypto';
import { closeSync, linkSync, lstatSync, renameSync, rmSync, utimesSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { BackstopInputError } from '../errors.js';
import { openExclusive, readRegularFile, TMP_MARK } from '../safe-fs.js';

/** File name of the lock in the directory it locks. */
export const LOCK_NAME = '.backstop.lock';
/** A lock untouched this long is stale (its holder touches it every {@link TOUCH_MS}). */
export const STALE_MS = 120_000;
const TOUCH_MS = 5_000;
/** A lock with this process's pid and another token is stale once untouched this long (3 touches missed). */
const OWN_PID_STALE_MS = 3 * TOUCH_MS;
/** Tokens of the locks this process holds (a lock with this process's pid but another token is stale). */
const held = new Set<string>();

/** What a lock file says. */
interface LockInfo {
  pid: number;
  host: string;
  command: string;
  startedAt: string;
  token: string;
}

/** A held lock. */
export interface DirLock {
  /** Refreshes the lock's time (cheap; does something at most every few seconds). Call in long loops. */
  touch(): void;
  /** Removes the lock if it is still this holder's. */
  release(): void;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readLock(path: string): { info: Partial<LockInfo> | null; ageMs: number } | null {
  let age: number;
  try {
    const st = lstatSync(path);
    age = Date.now() - st.mtimeMs;
  } catch {
    return null; // gone
  }
  try {
    const v = JSON.parse(readRegularFile(path)?.toString('utf8') ?? '') as Partial<LockInfo>;
    return { info: v && typeof v === 'object' ? v : null, ageMs: age };
  } catch {
    return { info: null, ageMs: age };
  }
}

/**
 * Why the lock `l` is stale, or null while its holder may be alive. A lock of this host whose process is
 * gone is stale at once; one with this process's own pid that this process does not hold is a former
 * incarnation's (a container's pid 1 restarted under the same host name); any lock untouched for
 * {@link STALE_MS} is stale (its pid may have been reused, or it is another host's).
 */
function staleness(l: { info: Partial<LockInfo> | null; ageMs: number }): string | null {
  const i = l.info;
  if (l.ageMs > STALE_MS) return `untouched for ${Math.round(l.ageMs / 1000)} s`;
  if (i && i.host === hostname() && typeof i.pid === 'number') {
    // this pid but not this process's token: an earlier process with this pid (a container's pid 1
    // restarted), or a live batch in another pid namespace on this host (two containers, both pid 1).
    // Only the lock's age tells them apart: the live one touches it every TOUCH_MS.
    if (i.pid === process.pid) {
      if (typeof i.token === 'string' && held.has(i.token)) return null;
      return l.ageMs > OWN_PID_STALE_MS
        ? `left by an earlier process with this pid (untouched for ${Math.round(l.ageMs / 1000)} s)`
        : null;
    }
    return alive(i.pid) ? null : `process ${i.pid} is gone`;
  }
  return null;
}

/**
 * Takes the lock of directory `dir` (which must exist) for `command` (e.g. `run`, `merge`).
 * @throws BackstopInputError naming the directory and the holder when another live process holds it
 */
export function lockDir(dir: string, command: string, flag = '--out'): DirLock {
  const path = join(dir, LOCK_NAME);
  const info: LockInfo = {
    pid: process.pid,
    host: hostname(),
    command,
    startedAt: new Date().toISOString(),
    token: randomBytes(8).toString('hex'),
  };
  for (let attempt = 0; ; attempt++) {
    const staged = `${path}${TMP_MARK}${info.token}`;
    const fd = openExclusive(staged);
    try {
      writeSync(fd, `${JSON.stringify(info)}\n`);
    } finally {
      closeSync(fd);
    }
    try {
      linkSync(staged, path);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    } finally {
      rmSync(staged, { force: true });
    }
    const lock = readLock(path);
    if (!lock) continue; // released in between
    const why = staleness(lock);
    if (why && attempt < 3) {
      // take it over: move it aside under a name of our own (only one contender wins the rename); if what
      // was moved is not the lock judged stale (another contender took it over in between), put it back
      const aside = `${path}${TMP_MARK}stale-${info.token}`;
      try {
        renameSync(path, aside);
        const moved = readLock(aside);
        if (moved && JSON.stringify(moved.info) !== JSON.stringify(lock.info)) {
          try {
            linkSync(aside, path);
          } catch {}
        }
        rmSync(aside, { recursive: true, force: true });
      } catch {}
      continue;
    }
    const h = lock.info;
    const who = h
      ? `process ${h.pid ?? '?'} on ${h.host ?? '?'} (${h.command ?? '?'}, since ${h.startedAt ?? '?'})`
      : 'a lock file that cannot be read';
    throw new BackstopInputError(
      [
        {
          path: `${flag} ${dir}`,
          message: `is in use: ${LOCK_NAME} is held by ${who}; wait for it to finish, or, if that process is gone, remove ${path}`,
        },
      ],
      'output directory in use',
    );
  }
  held.add(info.token);
  let last = Date.now();
  const mine = () => {
    const l = readLock(path);
    return l?.info?.token === info.token;
  };
  const touch = () => {
    const now = Date.now();
    if (now - last < TOUCH_MS) return;
    last = now;
    try {
      utimesSync(path, now / 1000, now / 1000);
    } catch {}
  };
  const timer = setInterval(touch, TOUCH_MS);
  timer.unref();
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    clearInterval(timer);
    process.off('exit', release);
    held.delete(info.token);
    if (mine()) rmSync(path, { force: true });
  };
  process.on('exit', release);
  return { touch, release };
}
