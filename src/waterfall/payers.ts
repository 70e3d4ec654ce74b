/**
 * Who-paid columns: what a paying stage declares (`StageDef.pays`) so that what it pays is booked, written
 * to `runs.arrow`, drawn in the report's who-paid figure and shown by `list`, with no other edit. A leaf
 * module: it imports nothing of the engine.
 *
 * The built-in payers' columns are fixed metrics of every run (`METRICS`), zero when their stage is not
 * listed, so that results of every experiment share them. A plug-in payer's column is added to a batch's
 * `runs.arrow` when a stage declaring it is listed in some point's config (after the fixed metrics).
 */

/** A who-paid column a paying stage books into. */
export interface PayerColumn {
  /** Column of `runs.arrow` (and key of `simulate`'s metrics): snake_case, e.g. `paid_by_treasury`. */
  readonly column: string;
  /** Short name in the who-paid figure and in `list`, e.g. `treasury`. */
  readonly label: string;
  /** What the column holds, with its unit in trailing parentheses, e.g. `shortfall paid by the treasury (USD)`. */
  readonly description: string;
  /**
   * Whether what the stage pays counts in the venue's loss (`loss`), as socialized loss does: a levy on
   * the venue's users rather than a buffer provisioned for it. Default false.
   */
  readonly loss?: boolean;
}

/** The built-in payers, by the short names the built-in stages declare, in the who-paid figure's order. */
export const BUILTIN_PAYERS = {
  insuranceFund: {
    column: 'paid_by_insurance_fund',
    label: 'insurance fund',
    description: 'shortfall paid by the insurance fund (USD)',
  },
  vault: {
    column: 'paid_by_vault',
    label: 'vault',
    description: 'shortfall absorbed by the backstop vault (USD)',
  },
  adl: {
    column: 'paid_by_adl',
    label: 'ADL',
    description: 'shortfall paid by auto-deleveraged winners (USD)',
  },
  socialized: {
    column: 'socialized_loss',
    label: 'socialized',
    description: 'shortfall spread over accounts (USD)',
    loss: true,
  },
} as const satisfies Record<string, PayerColumn>;

/** A built-in payer's short name. */
export type BuiltinPayer = keyof typeof BUILTIN_PAYERS;

/** What a paying stage declares: a built-in payer's short name, or its own column. */
export type PayerDecl = BuiltinPayer | PayerColumn;

/** The segments of the who-paid figure that are no payer: what nobody paid, what is still open at the end. */
export const UNPAID_SEGMENTS: readonly PayerColumn[] = [
  { column: 'unpaid', label: 'unpaid', description: 'shortfall nobody paid: bad debt (USD)', loss: true },
  {
    column: 'open_deficit',
    label: 'still open at the end',
    description:
      'negative equity still open at the end: underwater positions not yet closed, unsold auction lots (USD)',
    loss: true,
  },
];

/** The column a declaration names, as a plain object (`loss` always set). */
export function payerColumn(p: PayerDecl): Required<PayerColumn> {
  const c: PayerColumn = typeof p === 'string' ? BUILTIN_PAYERS[p] : p;
  return { column: c.column, label: c.label, description: c.description, loss: c.loss === true };
}

/** Whether `column` is a built-in payer's (a fixed metric). */
export function isBuiltinPayerColumn(column: string): boolean {
  for (const p of Object.values(BUILTIN_PAYERS)) if (p.column === column) return true;
  return false;
}

/** Field-metadata key that marks a `runs.arrow` column as a who-paid column; its value is the label. */
export const PAYER_META_KEY = 'payer';

/** Field-metadata key (value '1') of a who-paid column whose payments count in the venue's loss (`loss`). */
export const PAYER_LOSS_META_KEY = 'in_loss';
