/**
 * The named accounts of the ledger besides the agents' own columns. Every transfer moves money between
 * two of these or between one of these and an agent's cash or wallet column, so the sum of everything is
 * constant: that sum's drift is the run's conservation error.
 */
export const LEDGER = {
  /** Trading and liquidation fees kept by the venue. */
  venueFees: 0,
  /** The insurance fund. */
  insuranceFund: 1,
  /** The backstop vault's cash (its LPs' money). */
  vault: 2,
  /** The book's liquidity providers: counterparty of every trade through the liquidity model. */
  market: 3,
  /** Everything outside the venue: where deposits come from, withdrawals and gas go. */
  outside: 4,
  /** Funding paid but not yet received (accrued through a cumulative index, settled lazily). */
  funding: 5,
  /** Shortfall nobody paid: the debts of bankrupt accounts (a negative balance). */
  badDebt: 6,
  /** Liquidators' and keepers' gas, paid to the chain. */
  gas: 7,
} as const;

/** Name of a ledger account. */
export type LedgerAccount = keyof typeof LEDGER;
/** Number of named ledger accounts. */
export const LEDGER_SIZE = 8;

/**
 * Who paid a shortfall: indices into `Simulation.paid` of the built-in payers (src/waterfall/payers.ts) and
 * of what went unpaid, booked by the waterfall; payers' own columns follow from {@link PAYER_SLOTS} on.
 */
export const PAYER = { insuranceFund: 0, vault: 1, adl: 2, socialized: 3, unpaid: 4 } as const;
/** Slots of `Simulation.paid` before the run's own payer columns. */
export const PAYER_SLOTS = 5;
/** A built-in who-paid column a paying stage books into (`StageDef.pays`). */
export type Payer = Exclude<keyof typeof PAYER, 'unpaid'>;
