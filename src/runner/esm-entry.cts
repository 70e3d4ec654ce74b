/**
 * The file piscina loads in each worker thread: a CommonJS shim that loads the real worker (an ES module,
 * named by `workerData.entry`) with `import()`.
 *
 * piscina first tries `require()` on its worker file, and on Node 20.19+ `require()` of an ES module goes
 * through a synchronous path that aborts the whole process ("FATAL ERROR: v8::Module::IsGraphAsync must be
 * used on an instantiated module") when the module graph fails to instantiate — seen in CI when a worker
 * replacing one that ran out of memory started under the same small heap limit. `import()` reports the
 * same failure as an ordinary rejected task, which the runner records.
 */
const { workerData } = require('node:worker_threads') as typeof import('node:worker_threads');

type Handler = (task: unknown) => unknown;
let handler: Promise<Handler> | undefined;

module.exports = async function run(task: unknown): Promise<unknown> {
  handler ??= import((workerData as { entry: string }).entry).then((m: { default: Handler }) => m.default);
  return (await handler)(task);
};
