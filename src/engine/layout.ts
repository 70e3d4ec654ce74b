/**
 * Object layout for the optimising compiler. V8 stores a number field as a small integer until a fraction
 * is first stored in it; that store moves every object of the shape to a new layout and throws away all code
 * compiled against the old one. A field that starts at 0 and later holds fractions therefore costs each
 * worker thread a second compilation of everything that touched the first run's objects (the code compiled
 * during its first run no longer fits the objects of its second). {@link holdFractions} gives such fields a
 * fraction at once, in the first object's constructor, before any code is compiled against its layout.
 */

/**
 * Stores a fraction in each of the named number fields of `o`, then its own value back: the values do not
 * change, only the layout V8 gives them.
 *
 * @throws Error when `o` has no such field (a misspelt name would silently do nothing)
 */
export function holdFractions(o: object, names: readonly string[]): void {
  const r = o as Record<string, unknown>;
  for (const k of names) {
    const v = r[k];
    if (typeof v !== 'number') throw new Error(`holdFractions: ${k} is not a number field`);
    r[k] = 0.5;
    r[k] = v;
  }
}
