/**
 * Allocation of a deleveraging budget over winners: the policies of auto-deleveraging (ADL) studied by
 * Chitra et al. (arXiv 2512.01112, 2602.15182). One in-place core over typed arrays ({@link allocateInto},
 * used by the engine's ADL and socialized-loss stages without allocating) and the public wrapper
 * {@link allocateDeleveraging} over plain objects.
 */

/** ADL allocation policies. */
export const ADL_POLICIES = [
  'queue',
  'queue-capped',
  'pro-rata',
  'capped-pro-rata',
  'risk-aware-pro-rata',
] as const;
/** An ADL allocation policy. */
export type AdlPolicy = (typeof ADL_POLICIES)[number];

/** One winner offered to {@link allocateDeleveraging}. */
export interface DeleveragingWinner {
  /** Positive unrealized PnL (USD): what may be taken, before the cap. */
  pnl: number;
  /** Most that may be taken, as a fraction of `pnl` (default 1). Ignored by `queue` and `pro-rata`. */
  cap?: number;
  /** Queue rank: higher goes first; ties by lower index (default 0). */
  score?: number;
  /** Weight on the haircut fraction for `risk-aware-pro-rata` (default 1). */
  riskWeight?: number;
}

/** What {@link allocateDeleveraging} returns. */
export interface DeleveragingAllocation {
  /** Per winner, the fraction of its `pnl` taken. */
  haircut: number[];
  /** Per winner, the USD taken (`pnl · haircut`). */
  seized: number[];
  /** Budget left uncovered (USD, ≥ 0). */
  uncovered: number;
  /** Whether the budget fit the policy's capacity (Σ pnl, or Σ pnl·cap for the capped policies). */
  feasible: boolean;
}

const CODE: Record<AdlPolicy, number> = {
  queue: 0,
  'queue-capped': 1,
  'pro-rata': 2,
  'capped-pro-rata': 3,
  'risk-aware-pro-rata': 4,
};

/** Numeric code of a policy, for {@link allocateInto}. */
export function policyCode(p: AdlPolicy): number {
  return CODE[p];
}

/**
 * In-place core of {@link allocateDeleveraging}: writes the haircut fraction of winner `i` (0 ≤ i < n) into
 * `h[i]` and returns the budget left uncovered. For the queue policies `order[0..n)` lists the winners best
 * first (the caller ranks them); the water-filling policies use `order` as scratch. `cap` and `rw` are read only by the policies that
 * use them. No allocation (but a sort's comparator in the rare case of more than a few water-filling passes).
 */
export function allocateInto(
  policy: number,
  n: number,
  pnl: Float64Array,
  cap: Float64Array,
  rw: Float64Array,
  order: Int32Array,
  budget: number,
  h: Float64Array,
): number {
  for (let i = 0; i < n; i++) h[i] = 0;
  if (!(budget > 0)) return 0;
  if (policy <= 1) {
    // queue: best-ranked first, each up to its whole pnl (queue-capped: up to pnl·cap)
    let rem = budget;
    for (let k = 0; k < n && rem > 0; k++) {
      const i = order[k];
      const w = pnl[i];
      if (!(w > 0)) continue;
      const c = policy === 1 ? Math.min(1, Math.max(0, cap[i])) : 1;
      if (w * c <= rem) {
        h[i] = c;
        rem -= w * c;
      } else {
        h[i] = rem / w;
        rem = 0;
      }
    }
    return rem;
  }
  if (policy === 2) {
    // pro-rata: the same fraction of every winner's pnl, caps ignored
    let total = 0;
    for (let i = 0; i < n; i++) if (pnl[i] > 0) total += pnl[i];
    if (!(total > 0)) return budget;
    const f = Math.min(1, budget / total);
    for (let i = 0; i < n; i++) if (pnl[i] > 0) h[i] = f;
    return f < 1 ? 0 : Math.max(0, budget - total);
  }
  // water-filling: h_i = min(cap_i, τ·rw_i) with Σ pnl_i·h_i = budget (capped pro-rata: rw = 1, τ = η).
  // No sort: with S the winners known to be saturated, t = (budget − Σ_S pnl·cap) / Σ_{not S} pnl·rw is a
  // lower bound of τ (at t every term is at most its S or linear value, so the total is at most the budget),
  // so every winner whose breakpoint cap/rw lies below t is saturated at τ too. Each pass moves those into
  // S; when a pass moves none, t = τ. The passes usually settle in two or three (O(n) each); after
  // MAX_PASSES the rest is sorted by breakpoint and walked as before.
  const risk = policy === 4;
  let m = 0;
  let free = 0; // Σ pnl·rw of the winners not yet at their cap
  for (let i = 0; i < n; i++) {
    const w = pnl[i];
    const r = risk ? rw[i] : 1;
    const c = Math.min(1, Math.max(0, cap[i]));
    if (w > 0 && r > 0 && c > 0) {
      order[m++] = i;
      free += w * r;
    }
  }
  let fixed = 0; // Σ pnl·cap of the saturated winners
  let act = m; // order[0, act): not saturated; order[act, m): saturated
  let tau = Number.POSITIVE_INFINITY;
  for (let pass = 0; act > 0; pass++) {
    const t = (budget - fixed) / free;
    if (pass === MAX_PASSES) {
      tau = walkSorted(order, act, pnl, cap, rw, risk, budget, fixed, free);
      break;
    }
    let moved = false;
    let rest = 0; // Σ pnl·rw of those left, summed afresh (subtracting could cancel to nothing)
    for (let k = 0; k < act; ) {
      const i = order[k];
      const c = Math.min(1, Math.max(0, cap[i]));
      const r = risk ? rw[i] : 1;
      if (c < t * r) {
        fixed += pnl[i] * c;
        order[k] = order[--act];
        order[act] = i;
        moved = true;
      } else {
        rest += pnl[i] * r;
        k++;
      }
    }
    free = rest;
    if (!moved) {
      tau = t;
      break;
    }
  }
  let taken = 0;
  for (let k = 0; k < m; k++) {
    const i = order[k];
    const c = Math.min(1, Math.max(0, cap[i]));
    h[i] = Math.min(c, tau * (risk ? rw[i] : 1));
    taken += pnl[i] * h[i];
  }
  return tau === Number.POSITIVE_INFINITY ? Math.max(0, budget - taken) : 0;
}

/** Passes of {@link allocateInto}'s water-filling before it sorts what is left. */
const MAX_PASSES = 8;

/**
 * The water level τ of the winners `order[0, act)`, none yet saturated, given the saturated winners' Σ pnl·cap
 * (`fixed`) and the others' Σ pnl·rw (`free`): sorts them by breakpoint cap/rw and walks up. Infinity when
 * every one of them saturates (the budget is infeasible).
 */
function walkSorted(
  order: Int32Array,
  act: number,
  pnl: Float64Array,
  cap: Float64Array,
  rw: Float64Array,
  risk: boolean,
  budget: number,
  fixed: number,
  free: number,
): number {
  const bp = (i: number) => Math.min(1, Math.max(0, cap[i])) / (risk ? rw[i] : 1);
  order.subarray(0, act).sort((x, y) => bp(x) - bp(y) || x - y);
  for (let k = 0; k < act; k++) {
    const i = order[k];
    const t = (budget - fixed) / free;
    if (t <= bp(i)) return t;
    fixed += pnl[i] * Math.min(1, Math.max(0, cap[i]));
    free -= pnl[i] * (risk ? rw[i] : 1);
  }
  return Number.POSITIVE_INFINITY;
}

/**
 * Splits a deleveraging `budget` (USD) over `winners` by `policy`:
 * - `queue`: best score first, each winner's whole pnl until the budget is covered (caps ignored);
 * - `queue-capped`: the same, each winner up to `cap · pnl`;
 * - `pro-rata`: every winner's pnl cut by the same fraction min(1, budget / Σ pnl) (caps ignored);
 * - `capped-pro-rata`: water-filling, haircut = min(η, cap) with Σ pnl·min(η, cap) = budget;
 * - `risk-aware-pro-rata`: weighted water-filling, haircut = min(cap, τ·riskWeight) with
 *   Σ pnl·min(cap, τ·riskWeight) = budget.
 * An infeasible budget takes every winner to its limit and reports the rest as `uncovered`.
 *
 * @example
 * // queue order (2, 1, 3): the second winner goes first
 * allocateDeleveraging('queue', [{ pnl: 8, score: 2 }, { pnl: 4, score: 3 }, { pnl: 0.5, score: 1 }], 7.5);
 * // → { haircut: [0.4375, 1, 0], seized: [3.5, 4, 0], uncovered: 0, feasible: true }
 * allocateDeleveraging('pro-rata', [{ pnl: 8 }, { pnl: 4 }, { pnl: 0.5 }], 7.5).haircut; // → [0.6, 0.6, 0.6]
 */
export function allocateDeleveraging(
  policy: AdlPolicy,
  winners: readonly DeleveragingWinner[],
  budget: number,
): DeleveragingAllocation {
  const code = CODE[policy];
  if (code === undefined) throw new Error(`unknown ADL policy ${JSON.stringify(policy)}`);
  const n = winners.length;
  const pnl = new Float64Array(n);
  const cap = new Float64Array(n);
  const rw = new Float64Array(n);
  const order = new Int32Array(n);
  const h = new Float64Array(n);
  const score = new Float64Array(n);
  let capacity = 0;
  for (let i = 0; i < n; i++) {
    const w = winners[i];
    pnl[i] = Math.max(0, w.pnl);
    cap[i] = w.cap ?? 1;
    rw[i] = w.riskWeight ?? 1;
    score[i] = w.score ?? 0;
    order[i] = i;
    const limit = code === 0 || code === 2 ? 1 : Math.min(1, Math.max(0, cap[i]));
    if (code !== 4 || rw[i] > 0) capacity += pnl[i] * limit;
  }
  if (code <= 1) order.sort((x, y) => score[y] - score[x] || x - y);
  const uncovered = allocateInto(code, n, pnl, cap, rw, order, budget, h);
  const haircut = Array.from(h);
  return {
    haircut,
    seized: haircut.map((f, i) => f * pnl[i]),
    uncovered,
    feasible: budget <= capacity * (1 + 1e-12),
  };
}
