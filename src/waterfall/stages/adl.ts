/**
 * Auto-deleveraging: what is left of a shortfall is taken from profitable accounts on the other side.
 * A winner reduced by d units closes them at the mark against the book and gives up g_w per unit to the
 * bankrupt account, where g = side·(F − mark) is what one unit closed at the fill price F instead of the
 * mark costs (F: the bankrupt's bankruptcy price, the oracle, or FTX's 2/3·bankruptcy + 1/3·mark), and
 * g_w = min(g, equity_w / |q_w|): a winner never goes below its own bankruptcy price.
 *
 * Each winner's capacity c_w = |q_w|·g_w is what `allocateDeleveraging` splits the shortfall over; a
 * haircut h closes the fraction h of the winner's position. Rankings (BitMEX, Binance, uPnL, size) are
 * built lazily, once per tick and side, at the first ADL; a winner reduced in part (or changed since) is
 * re-ranked through a small heap merged with the sorted array. With `close: 'whole'` every winner touched
 * is closed entirely and what it gives up beyond its share is the overshoot (paid to the insurance fund).
 */
import { z } from 'zod';
import { NO_FEE, NO_FLOW } from '../../engine/simulation.js';
import { LEDGER, PAYER } from '../../venue/ledger.js';
import { ADL_POLICIES, allocateInto, policyCode } from '../allocate.js';
import { moveCash } from '../ops.js';
import { defineStage } from '../stage.js';

export default defineStage({
  name: 'adl',
  description: 'auto-deleverages opposite-side winners by a ranking and an allocation policy',
  role: 'pay',
  params: z.strictObject({
    ranking: z
      .enum(['bitmex', 'binance', 'upnl', 'largest'])
      .default('bitmex')
      .describe(
        'queue order: bitmex (PnL% × effective leverage), binance (PnL% × margin ratio), upnl, largest (notional)',
      ),
    policy: z.enum(ADL_POLICIES).default('queue').describe('how the shortfall is split over the winners'),
    price: z
      .enum(['bankruptcy', 'oracle', 'ftx'])
      .default('bankruptcy')
      .describe(
        "winners' fill price: the bankrupt's bankruptcy price, the oracle, or 2/3·bankruptcy + 1/3·mark",
      ),
    maxHaircut: z
      .number()
      .finite()
      .min(0)
      .max(1)
      .default(1)
      .describe("cap on a winner's haircut (fraction of its capacity) for the capped policies"),
    close: z
      .enum(['needed', 'whole'])
      .default('needed')
      .describe(
        "'needed': reduce only what covers the shortfall; 'whole': close every winner touched entirely",
      ),
  }),
  build({ sim, params, waterfall }) {
    const a = sim.accounts;
    const nA = sim.nAgents;
    const policy = policyCode(params.policy);
    const queued = policy <= 1;
    const ranking = params.ranking;
    const whole = params.close === 'whole';
    // candidates per side (0: winners against a bankrupt long, i.e. shorts; 1: longs), built lazily per tick
    const cand = [sim.i32(nA), sim.i32(nA)];
    const candN = [0, 0];
    const builtAt = [-1, -1];
    const candVer = [sim.i32(nA), sim.i32(nA)];
    const pos = [0, 0];
    const score = sim.f64(nA);
    const liveVer = sim.i32(nA).fill(-1);
    // re-ranked winners: a max-heap per side
    const hs = [sim.f64(64), sim.f64(64)];
    const hi = [sim.i32(64), sim.i32(64)];
    const hv = [sim.i32(64), sim.i32(64)];
    const hn = [0, 0];
    // batch scratch for allocateInto
    const bId = sim.i32(nA);
    const bPnl = sim.f64(nA);
    const bCap = sim.f64(nA).fill(params.maxHaircut);
    const bRw = sim.f64(nA);
    const bGw = sim.f64(nA);
    const bEw = sim.f64(nA);
    const bOrder = sim.i32(nA);
    const bH = sim.f64(nA);

    function scoreOf(w: number, mark: number): number {
      const q = a.qty[w];
      const up = q * (mark - a.entry[w]);
      const ew = sim.equity(w);
      switch (ranking) {
        case 'bitmex':
          return (up * Math.abs(mark)) / (Math.abs(a.entry[w]) * ew);
        case 'binance':
          return (Math.max(0, up) / Math.max(1, a.cash[w])) * ((a.mmr[w] * Math.abs(q) * mark) / ew);
        case 'upnl':
          return up;
        default:
          return Math.abs(q) * mark;
      }
    }
    /** Whether w is a winner against a bankrupt of side sb. */
    function isWinner(w: number, sb: number, mark: number, bankrupt: number): boolean {
      const q = a.qty[w];
      return (
        w !== bankrupt && a.active[w] === 1 && q * sb < 0 && q * (mark - a.entry[w]) > 0 && sim.equity(w) > 0
      );
    }
    function build(s: number, sb: number): void {
      const mark = sim.mark;
      const c = cand[s];
      const cv = candVer[s];
      let m = 0;
      for (let w = 0; w < nA; w++) {
        if (!isWinner(w, sb, mark, -1)) continue;
        c[m++] = w;
        if (queued) score[w] = scoreOf(w, mark);
      }
      hn[s] = 0;
      if (queued) {
        // the queue is a heap of every winner, built in O(m): a tick's ADL pops only the few it needs, where
        // sorting all winners cost O(m log m) a tick (the largest cost of a 1M-account crash)
        if (hs[s].length < m) {
          const cap = Math.max(m, 2 * hs[s].length);
          hs[s] = sim.f64(cap);
          hi[s] = sim.i32(cap);
          hv[s] = sim.i32(cap);
        }
        const S = hs[s];
        const I = hi[s];
        const V = hv[s];
        for (let k = 0; k < m; k++) {
          const w = c[k];
          S[k] = score[w];
          I[k] = w;
          V[k] = a.ver[w];
          liveVer[w] = V[k];
        }
        hn[s] = m;
        for (let j = (m >> 1) - 1; j >= 0; j--) siftDown(s, j, m, S[j], I[j], V[j]);
        candN[s] = 0;
      } else {
        for (let k = 0; k < m; k++) {
          cv[k] = a.ver[c[k]];
          liveVer[c[k]] = cv[k];
        }
        candN[s] = m;
      }
      pos[s] = 0;
      builtAt[s] = sim.tick;
    }
    /** Heap order: the higher score first; equal scores, the lower account id first. */
    function above(sa: number, ia: number, sb: number, ib: number): boolean {
      return sa > sb || (sa === sb && ia < ib);
    }
    /** Sifts (ks, ki, kv) down from slot j of side s's heap of n entries. */
    function siftDown(s: number, j: number, n: number, ks: number, ki: number, kv: number): void {
      const S = hs[s];
      const I = hi[s];
      const V = hv[s];
      for (;;) {
        let c = 2 * j + 1;
        if (c >= n) break;
        if (c + 1 < n && above(S[c + 1], I[c + 1], S[c], I[c])) c++;
        if (!above(S[c], I[c], ks, ki)) break;
        S[j] = S[c];
        I[j] = I[c];
        V[j] = V[c];
        j = c;
      }
      S[j] = ks;
      I[j] = ki;
      V[j] = kv;
    }
    function push(s: number, w: number, sc: number): void {
      let n = hn[s];
      if (n === hs[s].length) {
        const S2 = sim.f64(n * 2);
        S2.set(hs[s]);
        hs[s] = S2;
        const I2 = sim.i32(n * 2);
        I2.set(hi[s]);
        hi[s] = I2;
        const V2 = sim.i32(n * 2);
        V2.set(hv[s]);
        hv[s] = V2;
      }
      const S = hs[s];
      const I = hi[s];
      const V = hv[s];
      const v = a.ver[w];
      liveVer[w] = v;
      while (n > 0) {
        const p = (n - 1) >> 1;
        if (!above(sc, w, S[p], I[p])) break;
        S[n] = S[p];
        I[n] = I[p];
        V[n] = V[p];
        n = p;
      }
      S[n] = sc;
      I[n] = w;
      V[n] = v;
      hn[s]++;
    }
    function popHeap(s: number): void {
      const n = --hn[s];
      siftDown(s, 0, n, hs[s][n], hi[s][n], hv[s][n]);
    }
    /** The best-ranked live winner, removed from the queue; −1 when none is left. */
    function pop(s: number, sb: number, bankrupt: number): number {
      const mark = sim.mark;
      for (;;) {
        const hasSorted = pos[s] < candN[s];
        let w: number;
        let v: number;
        if (hn[s] > 0 && (!hasSorted || hs[s][0] > score[cand[s][pos[s]]])) {
          w = hi[s][0];
          v = hv[s][0];
          popHeap(s);
        } else if (hasSorted) {
          w = cand[s][pos[s]];
          v = candVer[s][pos[s]];
          pos[s]++;
        } else return -1;
        if (v !== liveVer[w]) continue; // a stale entry: the winner was re-ranked since
        liveVer[w] = -1;
        if (a.ver[w] !== v) {
          // changed since it was ranked: rank it again
          if (isWinner(w, sb, mark, bankrupt)) {
            score[w] = scoreOf(w, mark);
            push(s, w, score[w]);
          }
          continue;
        }
        if (!isWinner(w, sb, mark, bankrupt)) continue;
        return w;
      }
    }

    return {
      cover(id, amount, sb, pbk) {
        const mark = sim.mark;
        const F =
          params.price === 'bankruptcy' ? pbk : params.price === 'ftx' ? (2 * pbk + mark) / 3 : sim.oracle;
        const g = sb * (F - mark);
        if (!(g > 0) || !Number.isFinite(g)) return 0;
        const s = sb > 0 ? 0 : 1;
        if (builtAt[s] !== sim.tick) build(s, sb);
        // the winners offered to the policy: for the queues, popped best first until their capacity
        // covers the shortfall; otherwise every winner of the side
        let n = 0;
        const add = (w: number) => {
          const aq = Math.abs(a.qty[w]);
          const ew = sim.equity(w);
          const gw = Math.min(g, ew / aq);
          bId[n] = w;
          bGw[n] = gw;
          bEw[n] = ew;
          bPnl[n] = gw < g ? ew : aq * gw;
          bRw[n] = (aq * mark) / ew;
          bOrder[n] = n;
          n++;
        };
        if (queued) {
          let capSum = 0;
          const capF = policy === 1 ? params.maxHaircut : 1;
          while (capSum < amount) {
            const w = pop(s, sb, id);
            if (w < 0) break;
            add(w);
            capSum += bPnl[n - 1] * capF;
          }
        } else {
          const c = cand[s];
          for (let k = 0; k < candN[s]; k++) if (isWinner(c[k], sb, mark, id)) add(c[k]);
        }
        if (n === 0) return 0;
        allocateInto(policy, n, bPnl, bCap, bRw, bOrder, amount, bH);
        let paid = 0;
        for (let k = 0; k < n; k++) {
          const h = bH[k];
          const w = bId[k];
          if (!(h > 0)) {
            if (queued) push(s, w, scoreOf(w, mark));
            continue;
          }
          const qw = a.qty[w];
          const aq = Math.abs(qw);
          const full = h >= 1 || whole;
          const d = full ? aq : h * aq;
          const seized = h >= 1 ? bPnl[k] : h * bPnl[k];
          sim.fill(w, full ? -qw : -Math.sign(qw) * d, mark, NO_FEE | NO_FLOW);
          moveCash(sim, w, id, seized);
          if (whole && h < 1) {
            const over = bPnl[k] - seized;
            sim.charge(w, LEDGER.insuranceFund, over);
            waterfall.overshoot += over;
          }
          paid += seized;
          const Fw = mark + sb * bGw[k];
          sim.adlEvents++;
          sim.adlNotional += d * Math.abs(Fw);
          sim.log('deleverage', w, full ? -qw : -Math.sign(qw) * d, Fw, seized);
          if (queued && a.qty[w] !== 0) {
            score[w] = scoreOf(w, mark);
            push(s, w, score[w]);
          }
        }
        sim.paid[PAYER.adl] += paid;
        return paid;
      },
    };
  },
});
