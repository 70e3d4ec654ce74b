/**
 * The columns a game batch adds to `runs.arrow` (see `expandGame`): per game role the swept field
 * `game.<role>` (the label of the candidate its population played) and the metric column `payoff_<role>`
 * (its payoff per agent, PnL − outside option, USD), named as the PnL columns are (`payoff_market_makers`).
 */
import { ROLES } from '../config/schema.js';

/** The swept field of a game role in a game batch: the label of the candidate its population played. */
export const roleField = (role: string): string => `game.${role}`;

/** The `runs.arrow` column of a game role's payoff per agent in a game batch (`payoff_liquidators`). */
export const payoffColumn = (role: string): string =>
  `payoff_${role.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}`;

/** The role of a game batch's `game.<role>` field or `payoff_<role>` column; undefined for any other name. */
export function gameColumnRole(name: string): { role: string; kind: 'strategy' | 'payoff' } | undefined {
  for (const role of ROLES) {
    if (name === roleField(role)) return { role, kind: 'strategy' };
    if (name === payoffColumn(role)) return { role, kind: 'payoff' };
  }
  return undefined;
}
