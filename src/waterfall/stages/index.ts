/** The built-in waterfall stages. Importing this module registers them all. */
import { registerStage } from '../../plugin.js';
import adl from './adl.js';
import capacityProviders from './capacity-providers.js';
import dutchAuction from './dutch-auction.js';
import englishAuction from './english-auction.js';
import insuranceFund from './insurance-fund.js';
import market from './market.js';
import settlement from './settlement.js';
import socialized from './socialized.js';
import takeover from './takeover.js';
import vault from './vault.js';

export const builtinStages = [
  market,
  takeover,
  dutchAuction,
  englishAuction,
  capacityProviders,
  vault,
  insuranceFund,
  adl,
  socialized,
  settlement,
];
for (const s of builtinStages) registerStage(s);
