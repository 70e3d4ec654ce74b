import { describe, expect, it } from 'vitest';
import { holdFractions } from '../src/engine/layout.js';

describe('holdFractions', () => {
  it('leaves every value as it was (integers, fractions, infinities, -0)', () => {
    const o = { a: 0, b: 2000, c: 0.25, d: Number.POSITIVE_INFINITY, e: -0, s: 'x' };
    holdFractions(o, ['a', 'b', 'c', 'd', 'e']);
    expect(o).toEqual({ a: 0, b: 2000, c: 0.25, d: Number.POSITIVE_INFINITY, e: -0, s: 'x' });
    expect(Object.is(o.e, -0)).toBe(true);
    expect(Object.is(o.a, 0)).toBe(true);
  });

  it('rejects a name that is not a number field (a misspelt name would otherwise do nothing)', () => {
    const o = { shortfall: 0, label: 'x' };
    expect(() => holdFractions(o, ['shortfal'])).toThrow(/shortfal is not a number field/);
    expect(() => holdFractions(o, ['label'])).toThrow(/label is not a number field/);
  });
});
