/**
 * Writing files so that a reader never sees half of one and a planted link never redirects one: every file
 * backstop-sim writes goes to a fresh temporary name in the target's own directory, created exclusively
 * (`O_CREAT | O_EXCL | O_NOFOLLOW`: an existing file or a symlink at that name is an error, never opened),
 * and is renamed over the final name only when complete (a rename replaces a link at the final name, it does
 * not follow it). Temporary names carry {@link TMP_MARK} and a random part, so a name cannot be planted in
 * advance, and a killed process's leftovers are found and removed ({@link removeLeftovers}) by the next run
 * that holds the directory's lock.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  fstatSync,
  fsyncSync,
  lstatSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** What every temporary name contains. */
export const TMP_MARK = '.bstmp-';

/** A fresh, unpredictable temporary name next to `path`: `<dir>/.<base>.bstmp-<16 hex digits>`. */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}${TMP_MARK}${randomBytes(8).toString('hex')}`);
}

const EXCLUSIVE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0);

/**
 * Creates a new temporary file for `path` and returns its descriptor and name. Never opens an existing file
 * or follows a link.
 */
export function openTemp(path: string): { fd: number; tmp: string } {
  const tmp = tempPathFor(path);
  return { fd: openSync(tmp, EXCLUSIVE, 0o644), tmp };
}

/** Creates `path` exclusively (fails with EEXIST when anything, a link included, is there). */
export function openExclusive(path: string): number {
  return openSync(path, EXCLUSIVE, 0o644);
}

/**
 * Reads `path` if it is a regular file (not a link, a FIFO, a device or a directory: reading a planted
 * FIFO would block forever); undefined when it is missing or not a regular file.
 */
export function readRegularFile(path: string): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | (constants.O_NOFOLLOW ?? 0));
  } catch {
    return undefined;
  }
  try {
    return fstatSync(fd).isFile() ? readFileSync(fd) : undefined;
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** Writes all of `data` to `fd`. */
function writeAll(fd: number, data: Uint8Array): void {
  let off = 0;
  while (off < data.byteLength) off += writeSync(fd, data, off, data.byteLength - off);
}

/**
 * Writes `path` atomically: the whole of `data` under a temporary name (see the module comment), fsynced
 * when `durable`, then renamed. On failure the temporary file is removed and `path` is unchanged.
 */
export function writeFileAtomic(
  path: string,
  data: string | Uint8Array | readonly Uint8Array[],
  durable = false,
): void {
  const { fd, tmp } = openTemp(path);
  try {
    const chunks =
      typeof data === 'string' ? [Buffer.from(data)] : data instanceof Uint8Array ? [data] : data;
    for (const c of chunks) writeAll(fd, c);
    if (durable) fsyncSync(fd);
    closeSync(fd);
  } catch (e) {
    try {
      closeSync(fd);
    } catch {}
    rmSync(tmp, { force: true });
    throw e;
  }
  renameSync(tmp, path);
}

/**
 * The exact temporary names earlier versions wrote (`runs.arrow.tmp-<pid>`, `chunk-<8 digits>.part.tmp`,
 * `.index.html.tmp`, `.game.arrow.tmp`, `.equilibria.json.tmp`, `.<time>-<pid>.tmp`, an export's
 * `.<name>.csv.tmp-<pid>`), removed like this version's. Only these: a user's `.notes.tmp` or
 * `photo.tmp-2024` in the output directory is theirs and stays.
 */
const LEGACY_TMP =
  /^(?:(?:runs|series|events|game)\.arrow\.tmp-\d+|(?:manifest|plan|equilibria)\.json\.tmp-\d+|chunk-\d{8}\.part\.tmp|\.(?:index\.html|game\.arrow|equilibria\.json)\.tmp|\.\d+-\d+\.tmp|\.[^/]+\.(?:csv|parquet)\.tmp-\d+)$/;

/** The names in `dir`; none when it is missing or cannot be read. */
export function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/**
 * True when something other than a directory is at `path` (a file, or a link, which is never followed):
 * a planted link at a folder backstop-sim writes into would send every file elsewhere.
 */
export function notADirectory(path: string): boolean {
  try {
    return !lstatSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Removes the temporary files a killed process left in `dir` (not recursive; links are removed, never
 * followed). Call only while holding the directory's lock: another live process's temporary files look the
 * same. Returns the names removed.
 */
export function removeLeftovers(dir: string): string[] {
  const gone: string[] = [];
  for (const n of listDir(dir)) {
    if (!(n.includes(TMP_MARK) || LEGACY_TMP.test(n))) continue;
    const p = join(dir, n);
    try {
      if (lstatSync(p).isDirectory()) continue;
      rmSync(p, { force: true });
      gone.push(n);
    } catch {}
  }
  return gone;
}
