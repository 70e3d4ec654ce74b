/** Where the report tests look for a browser, and when a missing one fails them (issue 17). */
import { describe, expect, it } from 'vitest';
import { findChromium, inCI } from './chromium.js';

describe('finding the Chromium of the report tests', () => {
  it('an explicit BACKSTOP_CHROMIUM is used when executable, else reported missing (never replaced)', () => {
    expect(findChromium({ BACKSTOP_CHROMIUM: process.execPath, PATH: '' })).toEqual({
      path: process.execPath,
    });
    const missing = findChromium({ BACKSTOP_CHROMIUM: '/nonexistent', PATH: '/usr/bin' });
    expect(missing.path).toBeUndefined();
    expect(missing.missing).toMatch(/BACKSTOP_CHROMIUM=\/nonexistent is not an executable/);
  });

  it('CI=true (or 1, yes) requires it; unset, false or 0 does not', () => {
    for (const CI of ['true', '1', 'yes']) expect(inCI({ CI })).toBe(true);
    for (const CI of [undefined, '', 'false', '0']) expect(inCI({ CI })).toBe(false);
  });
});
