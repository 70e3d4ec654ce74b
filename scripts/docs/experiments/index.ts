/** The experiments with generated docs, in the order of experiments/README.md. */
import type { ExperimentDocs } from '../define.js';
import adlPolicies from './adl-policies.js';
import baseline from './baseline.js';
import blackThursday from './black-thursday.js';
import clipperSweep from './clipper-sweep.js';
import hlp from './hlp-2025-03-12.js';
import hyperliquid from './hyperliquid-2025-10-10.js';
import liquidatorParticipation from './liquidator-participation.js';
import lpRun from './lp-run.js';
import vaultAttack from './vault-attack.js';

export const DOCS: ExperimentDocs[] = [
  baseline,
  blackThursday,
  clipperSweep,
  adlPolicies,
  hyperliquid,
  vaultAttack,
  hlp,
  lpRun,
  liquidatorParticipation,
];
