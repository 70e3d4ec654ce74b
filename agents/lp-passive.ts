import { z } from 'zod';
import { defineStrategy } from '../src/plugin.js';
import { depositAll } from './lp.js';

/** Passive backstop LP: deposits all its capital into the vault before the first tick and stays. */
export default defineStrategy({
  name: 'lp-passive',
  role: 'lps',
  description: 'deposits everything in the vault at the start and stays',
  params: z.strictObject({}),
  init(g, sim) {
    for (let i = g.first; i < g.first + g.count; i++) depositAll(sim, i);
  },
  act() {},
});
