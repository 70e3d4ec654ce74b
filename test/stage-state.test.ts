/**
 * Stages declare their per-run arrays (`StageDef.state`), as strategies declare their state columns (issue
 * 19): the engine allocates them from the run's arena, sized by the stage's parameters and the run, filled as
 * declared, and hands them to `build` as `ctx.state`. A declaration the engine cannot allocate fails the run
 * naming the stage and the array; an array kept beyond its run is poisoned in the test suite
 * (`BACKSTOP_ARENA_POISON=1`, vitest.config.ts), so keeping one cannot go unnoticed.
 */
import { describe, expect, it } from 'vitest';
import { defineStage, registerStage, type StageInstance, simulate, z } from '../src/index.js';
import { crashConfig } from './helpers.js';

/** What the last build of the test stages was handed. */
let seen: Record<string, Float64Array | Int32Array | Uint8Array> = {};
let sizes = { accounts: -1, agents: -1 };

/** A closer that marks each account handed to it in its declared per-account array, then passes it on. */
class Marker implements StageInstance {
  constructor(private readonly marks: Uint8Array) {}
  liquidate(id: number): boolean {
    this.marks[id] = 1;
    return false;
  }
}

const stages = (entry: Record<string, unknown>) => ({
  waterfall: { stages: [entry, { stage: 'market' }] },
});

describe('per-run arrays a stage declares', () => {
  registerStage(
    defineStage({
      name: 'test-state',
      description: 'declares arrays of every kind and marks the accounts handed to it',
      role: 'close',
      params: z.strictObject({ slots: z.number().int().min(0).default(5).describe('slots (count)') }),
      state: (p, run) => ({
        marks: 'u8',
        best: { type: 'f64', length: p.slots, fill: Number.NEGATIVE_INFINITY },
        owner: { type: 'i32', length: p.slots, fill: -1 },
        perAgent: { type: 'f64', length: run.agents },
      }),
      build: ({ sim, state }) => {
        seen = state;
        sizes = { accounts: sim.accounts.n, agents: sim.nAgents };
        return new Marker(state.marks);
      },
    }),
  );

  it('each array has its declared type, length and starting values, and is the one the stage used', () => {
    const r = simulate(
      { ...crashConfig(300, 200), ...stages({ stage: 'test-state', slots: 7 }) },
      { seed: 3 },
    );
    expect(r.metrics.liquidations).toBeGreaterThan(0);
    expect(sizes.agents).toBe(300);
    // shorthand 'u8': one element per account row
    expect(seen.marks).toBeInstanceOf(Uint8Array);
    expect(seen.marks.length).toBe(sizes.accounts);
    expect(seen.best).toBeInstanceOf(Float64Array);
    expect(seen.best.length).toBe(7);
    expect(seen.owner).toBeInstanceOf(Int32Array);
    expect(seen.owner.length).toBe(7);
    expect(seen.perAgent.length).toBe(300);
  });

  it('the arrays are the run’s: poisoned once simulate() returns (a stage must not keep them)', () => {
    expect(process.env.BACKSTOP_ARENA_POISON).toBe('1');
    simulate({ ...crashConfig(100, 50), ...stages({ stage: 'test-state' }) }, { seed: 1 });
    expect([...seen.best].every(Number.isNaN)).toBe(true);
    expect([...seen.owner].every((v) => v === -0x80000000)).toBe(true);
    expect([...seen.marks].every((v) => v === 255)).toBe(true);
  });

  it('the next run gets them zeroed and filled afresh, not what the last run left', () => {
    simulate({ ...crashConfig(300, 200), ...stages({ stage: 'test-state', slots: 7 }) }, { seed: 3 });
    // captured inside the run: copy what build was handed before the run ends
    let first: number[] = [];
    registerStage(
      defineStage({
        name: 'test-state-copy',
        description: 'copies its arrays when built',
        role: 'close',
        params: z.strictObject({}),
        state: () => ({
          best: { type: 'f64', length: 7, fill: Number.NEGATIVE_INFINITY },
          marks: 'u8',
        }),
        build: ({ state }) => {
          first = [...state.best, ...state.marks];
          return new Marker(state.marks);
        },
      }),
    );
    simulate({ ...crashConfig(300, 200), ...stages({ stage: 'test-state-copy' }) }, { seed: 4 });
    expect(first.slice(0, 7).every((v) => v === Number.NEGATIVE_INFINITY)).toBe(true);
    expect(first.slice(7).every((v) => v === 0)).toBe(true);
  });

  it.each([
    [() => ({ a: 'f32' }), "stage 'test-bad' state.a must be one of f64, i32, u8 or { type, length, fill? }"],
    [() => ({ a: { type: 'f32', length: 3 } }), "stage 'test-bad' state.a.type must be one of f64, i32, u8"],
    [
      () => ({ a: { type: 'f64', length: 2.5 } }),
      "stage 'test-bad' state.a.length must be a whole number ≥ 0",
    ],
    [
      () => ({ a: { type: 'f64', length: -1 } }),
      "stage 'test-bad' state.a.length must be a whole number ≥ 0",
    ],
    [() => ({ a: { type: 'i32', length: 3, fill: 'x' } }), "stage 'test-bad' state.a.fill must be a number"],
    [() => [1, 2], "stage 'test-bad' state must return an object of arrays by name"],
    [
      () => ({ a: { type: 'u8', length: 3, fill: 300 } }),
      "state.a.fill must be a whole number from 0 to 255 for type 'u8'",
    ],
    [
      () => ({ a: { type: 'i32', length: 3, fill: 2.5 } }),
      'state.a.fill must be a whole number from -2147483648',
    ],
    [
      () => {
        throw new Error('no slots');
      },
      "stage 'test-bad' state (StageDef.state) failed: no slots",
    ],
  ])(
    'a declaration the engine cannot allocate fails the run naming the stage and the array (%#)',
    (state, msg) => {
      registerStage(
        defineStage({
          name: 'test-bad',
          description: 'declares an array badly',
          role: 'close',
          params: z.strictObject({}),
          // biome-ignore lint/suspicious/noExplicitAny: a plug-in written without the types
          state: state as any,
          build: ({ sim }) => new Marker(new Uint8Array(sim.accounts.n)),
        }),
      );
      expect(() =>
        simulate({ ...crashConfig(50, 20), ...stages({ stage: 'test-bad' }) }, { seed: 1 }),
      ).toThrow(msg);
    },
  );

  it('state that is not a function is refused when the stage is registered', () => {
    const def = {
      name: 'test-state-object',
      description: 'x',
      role: 'close',
      params: z.strictObject({}),
      state: { a: 'f64' },
      build: () => ({}),
    };
    // biome-ignore lint/suspicious/noExplicitAny: a plug-in written without the types
    expect(() => registerStage(def as any)).toThrow('state must be a function, when given');
  });
});
