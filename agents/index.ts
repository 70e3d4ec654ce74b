/** The built-in strategies. Importing this module registers them all. */
import { registerStrategy } from '../src/strategy.js';
import attacker from './attacker.js';
import basisArb from './basis-arb.js';
import fundingCarry from './funding-carry.js';
import hold from './hold.js';
import meanReversion from './mean-reversion.js';
import momentum from './momentum.js';
import noise from './noise.js';
import passiveMm from './passive-mm.js';
import whale from './whale.js';

/** Every built-in strategy, registered on import. */
export const builtinStrategies = [
  noise,
  momentum,
  meanReversion,
  hold,
  whale,
  attacker,
  basisArb,
  fundingCarry,
  passiveMm,
];
for (const s of builtinStrategies) registerStrategy(s);
