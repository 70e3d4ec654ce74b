import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // experiment files import the package by name, as a user's would: in tests that is the source
  resolve: { alias: { 'backstop-sim': fileURLToPath(new URL('./src/index.ts', import.meta.url)) } },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // two files at a time even on two cores (vitest's default there is one): most files wait on the
    // command-line processes they start, and one at a time took 558 s of CI's 600 s (397 s at two)
    maxWorkers: Math.max(2, availableParallelism() - 1),
    // a plug-in or result that keeps a run's arena array past the run reads poison (src/engine/arena.ts)
    env: { BACKSTOP_ARENA_POISON: '1' },
  },
});
