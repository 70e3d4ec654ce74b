/**
 * Trade flags and role codes: a leaf module (it imports nothing), so that strategies and stages can name them without
 * importing the engine.
 */

/** Trade flag: charge no fee. */
export const NO_FEE = 1;
/** Trade flag: the trade does not count in the book's flow (does not move the mark). */
export const NO_FLOW = 2;
/** Trade flag: fill at the mark, without price impact. */
export const NO_IMPACT = 4;

/** Role codes of `Simulation.groupRole` and of the PnL-by-role array (0 traders … 4 market makers). */
export const ROLE_CODE = { traders: 0, liquidators: 1, lps: 2, arbitrageurs: 3, marketMakers: 4 } as const;
