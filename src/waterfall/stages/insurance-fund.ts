/**
 * Insurance fund: pays shortfalls while it has money. It is fed by the market stage's share of
 * liquidation fees, by auction penalties, and by `tradingFeeShare` of every trading fee.
 */
import { z } from 'zod';
import { defineStage, LEDGER, type StageInstance, type VenueContext } from '../../plugin.js';

const Params = z.strictObject({
  reserveUsd: z.number().finite().min(0).default(0).describe('the fund never pays below this balance (USD)'),
  maxShareOfFund: z
    .number()
    .finite()
    .positive()
    .max(1)
    .default(1)
    .describe('most one shortfall may take, as a share of the fund above the reserve'),
  tradingFeeShare: z
    .number()
    .finite()
    .min(0)
    .max(1)
    .default(0)
    .describe('share of every trading fee paid into the fund (the rest to the venue)'),
});

/** One run's fund stage (a class, like every stage: see adl.ts). */
class InsuranceFund implements StageInstance {
  constructor(
    private readonly sim: VenueContext,
    private readonly params: z.output<typeof Params>,
  ) {}

  cover(id: number, amount: number): number {
    const { sim, params } = this;
    const room = (sim.ledger[LEDGER.insuranceFund] - params.reserveUsd) * params.maxShareOfFund;
    const pay = Math.min(amount, Math.max(0, room));
    if (!(pay > 0)) return 0;
    sim.credit(LEDGER.insuranceFund, id, pay);
    sim.log('insurance', id, 0, 0, pay);
    return pay;
  }
}

export default defineStage({
  name: 'insurance-fund',
  description: 'pays shortfalls from the insurance fund while it has money',
  role: 'pay',
  pays: 'insuranceFund',
  params: Params,
  build({ sim, params, waterfall }) {
    waterfall.takeTradingFees(params.tradingFeeShare, LEDGER.insuranceFund, 'insurance-fund');
    return new InsuranceFund(sim, params);
  },
});
