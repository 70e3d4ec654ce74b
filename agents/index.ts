/** The built-in strategies. Importing this module registers them all. */
import { registerStrategy } from '../src/plugin.js';
import attacker from './attacker.js';
import basisArb from './basis-arb.js';
import dutchTaker from './dutch-taker.js';
import englishBidder from './english-bidder.js';
import fixedSpreadTaker from './fixed-spread-taker.js';
import fundingCarry from './funding-carry.js';
import hold from './hold.js';
import lpFrontRunner from './lp-front-runner.js';
import lpPanic from './lp-panic.js';
import lpPassive from './lp-passive.js';
import lpYieldChaser from './lp-yield-chaser.js';
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
  fixedSpreadTaker,
  dutchTaker,
  englishBidder,
  lpPassive,
  lpYieldChaser,
  lpPanic,
  lpFrontRunner,
];
for (const s of builtinStrategies) registerStrategy(s);
