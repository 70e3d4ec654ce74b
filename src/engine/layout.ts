/**
 * Object layout for the optimising compiler (docs/performance.md, "object layout"). V8 stores a number
 * field as a small integer until a fraction is first stored in it; that store moves every object of the
 * shape to a new layout and throws away the code compiled against the old one, so a field that starts at 0
 * and later holds fractions costs each worker thread a second compilation of everything the first run's
 * objects touched. {@link numbersAsDoubles} gives every number field of an object its final layout in the
 * first object's constructor, before any code is compiled against it.
 */

/**
 * Stores a fraction in each of `o`'s own number fields, then its own value back: the values do not change,
 * only the layout V8 gives them (every number field, so no list of names is kept by hand).
 */
export function numbersAsDoubles(o: object): void {
  const r = o as Record<string, unknown>;
  for (const k of Object.keys(r)) {
    const v = r[k];
    if (typeof v !== 'number') continue;
    r[k] = 0.5;
    r[k] = v;
  }
}
