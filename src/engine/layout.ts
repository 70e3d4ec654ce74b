/**
 * Object layout for the optimising compiler (docs/performance.md, "object layout"). V8 stores a number
 * field as a small integer until a fraction is first stored in it; that store moves every object of the
 * shape to a new layout and throws away the code compiled against the old one, so a field that starts at 0
 * and later holds fractions costs each worker thread a second compilation of everything the first run's
 * objects touched. {@link numbersAsDoubles} gives every number field of an object its final layout in the
 * first object's constructor, before any code is compiled against it.
 */

/** The classes whose layout is set in this thread (one object of each is enough: see below). */
const laidOut = new WeakSet<object>();

/**
 * Stores a fraction in each of `o`'s own number fields, then its own value back: the values do not change,
 * only the layout V8 gives them (every number field, so no list of names is kept by hand). Only the first
 * object of each class in a thread is touched: the layout V8 settles on for it is the one every later object
 * of the class is built with (the walk costs about 4 µs an object, 0.3% of a small run).
 */
export function numbersAsDoubles(o: object): void {
  const c = (o as { constructor?: object }).constructor;
  if (c !== undefined) {
    if (laidOut.has(c)) return;
    laidOut.add(c);
  }
  const r = o as Record<string, unknown>;
  for (const k of Object.keys(r)) {
    const v = r[k];
    if (typeof v !== 'number') continue;
    r[k] = 0.5;
    r[k] = v;
  }
}
