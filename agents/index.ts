/** The built-in strategies. Importing this module registers them all. */
import { registerStrategy } from '../src/strategy.js';
import hold from './hold.js';
import noise from './noise.js';

/** Every built-in strategy, registered on import. */
export const builtinStrategies = [hold, noise];
for (const s of builtinStrategies) registerStrategy(s);
