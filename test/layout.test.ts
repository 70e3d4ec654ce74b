import { describe, expect, it } from 'vitest';
import { numbersAsDoubles } from '../src/engine/layout.js';

describe('numbersAsDoubles', () => {
  it('keeps every field’s value (numbers, and fields of other types untouched)', () => {
    const o = {
      a: 0,
      b: 3,
      c: -2.5,
      d: Number.POSITIVE_INFINITY,
      e: Number.NaN,
      label: 'x',
      arr: [1],
      f: -0,
    };
    numbersAsDoubles(o);
    expect(o.a).toBe(0);
    expect(o.b).toBe(3);
    expect(o.c).toBe(-2.5);
    expect(o.d).toBe(Number.POSITIVE_INFINITY);
    expect(o.e).toBeNaN();
    expect(o.label).toBe('x');
    expect(o.arr).toEqual([1]);
    expect(Object.is(o.f, -0)).toBe(true);
    expect(Object.keys(o)).toEqual(['a', 'b', 'c', 'd', 'e', 'label', 'arr', 'f']);
  });
});
