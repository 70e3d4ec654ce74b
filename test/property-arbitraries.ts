/**
 * fast-check arbitraries of random, valid simulation configs (test/properties.test.ts and `npm run soak`):
 * every price model and shocks, oracle, liquidity, funding, spot depth, congestion, margin tiers, every
 * waterfall stage in every allowed order with random parameters, and populations of every role and
 * strategy with random parameters. Kept small (≤ ~300 agents, ≤ 300 ticks) so hundreds run in seconds.
 */
import fc from 'fast-check';

type Obj = Record<string, unknown>;

const dbl = (min: number, max: number) => fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
/** Log-uniform in [min, max]. */
const logDbl = (min: number, max: number) =>
  dbl(Math.log(min), Math.log(max)).map((x) => Math.min(max, Math.max(min, Math.exp(x))));
/** A record whose keys are each present or not (absent keys take their defaults). */
const some = <T extends Record<string, fc.Arbitrary<unknown>>>(r: T) => fc.record(r, { requiredKeys: [] });

// ------------------------------------------------------------------ market

const REPLAY_FILES = [
  'data/btc_usd_coinbase_1h_2020-03-11_2020-03-14.csv',
  'data/eth_usd_coinapi_10m_2020-03-12.csv',
  'data/eth_usd_coinbase_1h_2020-03-11_2020-03-14.csv',
  'data/luna_usd_drift_oracle_1m_2022-05-09_2022-05-11.csv',
];

const p0 = logDbl(0.01, 100_000);
const indexArb: fc.Arbitrary<Obj> = fc.oneof(
  some({ p0, mu: dbl(-2, 2), sigma: dbl(0, 3) }).map((x) => ({ model: 'gbm', ...x })),
  some({
    p0,
    mu: dbl(-2, 2),
    sigma: dbl(0, 3),
    lambda: dbl(0, 2000),
    jumpMean: dbl(-0.5, 0.3),
    jumpStd: dbl(0, 0.5),
  }).map((x) => ({ model: 'merton', ...x })),
  fc
    .record({ p0, mu: dbl(-2, 2), sigma: dbl(0, 3), alpha: dbl(0, 0.5), persistence: dbl(0, 0.999) })
    .map(({ alpha, persistence, ...x }) => ({
      model: 'garch',
      ...x,
      alpha: alpha * persistence,
      beta: (1 - alpha) * persistence,
    })),
  fc
    .record({
      file: fc.constantFrom(...REPLAY_FILES),
      scale: logDbl(0.001, 1000),
      startOffsetSeconds: dbl(0, 86_400),
    })
    .map((x) => ({ model: 'replay', ...x })),
);

/** Shocks, mostly at least one (crashes and spikes are where the waterfall works). */
const shocksArb = (ticks: number) => {
  // a shock moves the index from the tick after atTick on: a later one (or any in a run of one tick) is rejected
  if (ticks < 2) return fc.constant([]);
  const shock = fc.record({
    atTick: fc.integer({ min: 0, max: ticks - 2 }),
    change: fc.oneof(dbl(-0.99, -0.1), dbl(0.1, 10), dbl(-0.99, 10)),
    durationSeconds: logDbl(1, 50_000),
  });
  return fc.oneof(
    { arbitrary: fc.array(shock, { minLength: 1, maxLength: 3 }), weight: 3 },
    { arbitrary: fc.array(shock, { maxLength: 3 }), weight: 1 },
  );
};

const marketArb = (ticks: number) =>
  fc.record({
    index: indexArb,
    shocks: shocksArb(ticks),
    oracle: some({
      delaySeconds: dbl(0, 3600),
      heartbeatSeconds: logDbl(1, 86_400),
      deviation: dbl(0, 0.1),
      noise: dbl(0, 0.05),
    }),
    liquidity: some({
      depthUsd: logDbl(1_000, 1e9),
      resilience: dbl(0, 1),
      volWindowTicks: fc.integer({ min: 2, max: 200 }),
      refVol: logDbl(0.05, 5),
      thinning: dbl(0, 10),
      agentSlippage: fc.boolean(),
      impact: fc.constantFrom('shared', 'own'),
      // unpaidFlowMovesMark is left out: it is the declared benchmark's money pump, for the benchmark only
    }),
    funding: some({ enabled: fc.boolean(), intervalSeconds: logDbl(1, 86_400), cap: dbl(0, 0.05) }),
    spot: some({ depthUsd: fc.oneof(fc.constant(0), logDbl(1_000, 1e9)), resilience: dbl(0, 1) }),
    congestion: some({
      baseline: dbl(0, 5),
      sensitivity: dbl(0, 5),
      series: fc.record({
        everySeconds: logDbl(1, 10_000),
        values: fc.array(dbl(0, 10), { minLength: 1, maxLength: 5 }),
      }),
      gasUsd: dbl(0, 100),
      gasPerLevel: dbl(0, 5),
      delayTicksPerLevel: dbl(0, 5),
      failureRate: dbl(0, 5),
    }),
  });

// ------------------------------------------------------------------ venue

const tiersArb = fc
  .array(fc.record({ step: logDbl(1, 1e7), mmr: dbl(0.001, 0.5), gap: dbl(0.001, 0.5) }), {
    minLength: 1,
    maxLength: 3,
  })
  .map((ts) => {
    let n = 0;
    let imr = 0;
    return ts.map((t, i) => {
      if (i > 0) n += t.step;
      const mmr = t.mmr;
      // initial rates never fall as notional grows (the venue's rule)
      imr = Math.max(imr, Math.min(1, mmr + t.gap));
      return { minNotional: n, mmr, imr };
    });
  })
  .filter((ts) => ts.every((t) => t.mmr < t.imr));

const venueArb = some({
  marginPrice: fc.constantFrom('mark', 'oracle'),
  priceBand: some({
    width: fc.oneof(logDbl(0.001, 0.99), dbl(0.01, 0.99)),
    reference: fc.constantFrom('oracle', 'index'),
  }),
  tiers: tiersArb,
  takerFee: dbl(0, 0.1),
  feeOn: fc.constantFrom('all', 'close'),
  liquidationFee: dbl(0, 0.5),
  insuranceFund: fc.oneof(fc.constant(0), logDbl(1, 1e8)),
  insuranceFundShareOfCollateral: dbl(0, 0.2),
  liquidationFeeToFund: dbl(0, 1),
  withdrawUnrealized: fc.boolean(),
  withdrawMarginFloor: fc.oneof(fc.constant(0), dbl(0, 1)),
});

// ------------------------------------------------------------------ the waterfall

const frac = dbl(0, 1);
const curveArb = fc.oneof(
  fc.record({ type: fc.constant('linear'), tau: logDbl(1, 20_000) }),
  fc.record({ type: fc.constant('stairstep'), cut: dbl(0.01, 1), step: logDbl(1, 3600) }),
  fc.record({ type: fc.constant('exponential'), cut: dbl(0.9, 1) }),
);
const STAGE_PARAMS: Record<string, fc.Arbitrary<Obj>> = {
  market: some({
    fraction: dbl(0.01, 1),
    sliceAboveUsd: fc.oneof(fc.constant(0), logDbl(1, 1e7)),
    cooldownSeconds: dbl(0, 600),
    fee: dbl(0, 0.5),
    // shares may not exceed 1 in total (see validFeeSplit)
    feeSplit: some({ insuranceFund: frac, vault: frac, liquidator: frac }),
  }),
  takeover: some({
    closeFactor: dbl(0.01, 1),
    fullCloseBelow: dbl(0, 2),
    bonus: dbl(0, 0.5),
    patienceSeconds: dbl(0, 1200),
  }),
  'dutch-auction': some({
    buf: dbl(0.5, 3),
    curve: curveArb,
    tail: logDbl(1, 20_000),
    cusp: frac,
    chop: dbl(1, 2),
    tip: dbl(0, 1000),
    chip: dbl(0, 0.1),
    hole: logDbl(1, 1e9),
    Hole: logDbl(1, 1e10),
    dust: dbl(0, 10_000),
    maxResets: fc.integer({ min: 0, max: 5 }),
    slots: fc.integer({ min: 1, max: 64 }),
    penaltyToFund: frac,
  }),
  'english-auction': some({
    beg: dbl(1, 1.5),
    ttl: logDbl(1, 5000),
    tau: logDbl(1, 50_000),
    chop: dbl(1, 2),
    maxRestarts: fc.integer({ min: 0, max: 5 }),
    slots: fc.integer({ min: 1, max: 64 }),
    penaltyToFund: frac,
  }),
  'capacity-providers': some({ minNotionalUsd: dbl(0, 1e5) }),
  vault: some({
    initialUsd: fc.oneof(fc.constant(0), logDbl(1, 1e8)),
    takeoverBelow: dbl(0, 2),
    takeOnDecline: fc.boolean(),
    maxLeverage: fc.oneof(fc.constant(0), logDbl(0.1, 100)),
    maxPositionUsd: fc.oneof(fc.constant(0), logDbl(1, 1e8)),
    maxInventoryUsd: fc.oneof(fc.constant(0), logDbl(1, 1e8)),
    unwind: fc.constantFrom('hold', 'immediate', 'twap'),
    unwindFraction: dbl(0.001, 1),
    maxPayShare: frac,
    lockupSeconds: dbl(0, 10 * 86_400),
    withdrawalDelaySeconds: dbl(0, 86_400),
    depositCapUsd: fc.oneof(fc.constant(0), logDbl(1, 1e8)),
  }),
  'insurance-fund': some({ reserveUsd: dbl(0, 1e6), maxShareOfFund: dbl(0.001, 1), tradingFeeShare: frac }),
  adl: some({
    ranking: fc.constantFrom('bitmex', 'binance', 'upnl', 'largest'),
    policy: fc.constantFrom('queue', 'queue-capped', 'pro-rata', 'capped-pro-rata', 'risk-aware-pro-rata'),
    price: fc.constantFrom('bankruptcy', 'oracle', 'previous-oracle', 'ftx'),
    maxHaircut: frac,
    close: fc.constantFrom('needed', 'whole'),
  }),
  // ADL as a closer (listed among the closers, before the market)
  'adl-closer': some({
    ranking: fc.constantFrom('bitmex', 'binance', 'upnl', 'largest'),
    policy: fc.constantFrom('queue', 'queue-capped', 'pro-rata', 'capped-pro-rata', 'risk-aware-pro-rata'),
    price: fc.constantFrom('bankruptcy', 'oracle', 'previous-oracle', 'ftx'),
    maxHaircut: frac,
    closeWhen: fc.constantFrom('bankrupt', 'always'),
    book: fc.boolean(),
  }).map((p) => ({ ...p, form: 'closer' })),
  socialized: some({ over: fc.constantFrom('winners', 'open-interest') }),
};

const PURE_CLOSERS = ['takeover', 'dutch-auction', 'english-auction', 'capacity-providers'];
const PAYERS = ['insurance-fund', 'adl', 'socialized'];

/**
 * A valid stage list: pure closers in random order (`market`, which always takes charge, last among them),
 * the vault (closes and pays) anywhere, payers anywhere after the first closer, and sometimes a settlement
 * override (it closes every position, the vault's included, at one tick).
 */
const stageNamesArb = fc
  .record({
    closers: fc.shuffledSubarray(PURE_CLOSERS),
    market: fc.boolean(),
    vault: fc.boolean(),
    vaultAt: fc.nat(),
    payers: fc.shuffledSubarray(PAYERS),
    payersAt: fc.array(fc.nat(), { minLength: 3, maxLength: 3 }),
    settlement: fc.oneof({ arbitrary: fc.constant(false), weight: 4 }, fc.constant(true)),
    adlCloser: fc.oneof({ arbitrary: fc.constant(false), weight: 2 }, fc.constant(true)),
    adlAt: fc.nat(),
  })
  .map((s) => {
    const list = [...s.closers];
    // ADL closes itself (then it is not also a payer: a stage is listed once)
    if (s.adlCloser) list.splice(s.adlAt % (list.length + 1), 0, 'adl-closer');
    if (s.market) list.push('market');
    if (s.vault || list.length === 0) list.splice(s.vaultAt % (list.length + 1), 0, 'vault');
    const payers = s.adlCloser ? s.payers.filter((p) => p !== 'adl') : s.payers;
    payers.forEach((p, k) => {
      list.splice(1 + (s.payersAt[k] % list.length), 0, p);
    });
    if (s.settlement) list.push('settlement');
    return list;
  });

const stagesArb = (ticks: number) =>
  stageNamesArb.chain((names) =>
    fc.tuple(
      ...names.map((n) =>
        n === 'settlement'
          ? fc
              .record({
                atTick: fc.integer({ min: 0, max: ticks - 1 }), // a later one is rejected
                price: fc.oneof(fc.constantFrom('oracle-twap', 'oracle'), logDbl(0.001, 1e6)),
              })
              .map((p) => ({ stage: n, ...p }))
          : n === 'adl-closer'
            ? STAGE_PARAMS[n].map((p) => ({ stage: 'adl', ...p }))
            : STAGE_PARAMS[n].map((p) => ({ stage: n, ...p })),
      ),
    ),
  );

// ------------------------------------------------------------------ populations

const capitalArb = fc.oneof(
  fc.record({ dist: fc.constant('fixed'), value: logDbl(1, 1e7) }),
  fc
    .record({ dist: fc.constant('uniform'), min: logDbl(1, 1e6), width: logDbl(1, 1e7) })
    .map(({ min, width, dist }) => ({ dist, min, max: min + width })),
  fc.record({ dist: fc.constant('lognormal'), median: logDbl(10, 1e6), sigma: dbl(0, 2) }),
);
const marginArb = some({
  policy: fc.constantFrom('none', 'topup', 'reduce'),
  trigger: dbl(1, 5),
  target: dbl(1, 8),
  reserveFraction: frac,
  share: frac,
});
/** Leverage histograms: 2–6 rising edges in [0.1, 1000], one weight per bin, at least one above 0. */
const histogramArb = fc
  .uniqueArray(logDbl(0.1, 1000), { minLength: 2, maxLength: 6 })
  .map((e) => [...e].sort((x, y) => x - y))
  .chain((edges) =>
    fc
      .array(dbl(0, 10), { minLength: edges.length - 1, maxLength: edges.length - 1 })
      .map((w) => ({ edges, weights: w.some((x) => x > 0) ? w : [1, ...w.slice(1)] })),
  );
const keeper = {
  margin: dbl(0, 0.5),
  capitalLimitUsd: logDbl(1, 1e9),
  unwindFraction: frac,
  runsBot: fc.boolean(),
  // no ceiling, or one anywhere from below the calm gas to above any congested gas
  maxGasUsd: fc.oneof({ arbitrary: fc.constant(0), weight: 2 }, { arbitrary: logDbl(0.01, 1000), weight: 1 }),
};
/** Leverage: mostly high enough that accounts get liquidated. */
const lev = fc.oneof({ arbitrary: logDbl(2, 100), weight: 4 }, { arbitrary: logDbl(0.1, 100), weight: 1 });

/** Noise parameters with leverageMin ≤ leverageMax (defaults 2 and 20), as the strategy requires: swapped when drawn the other way. */
function leverageInOrder(p: Obj): Obj {
  const min = (p.leverageMin as number | undefined) ?? 2;
  const max = (p.leverageMax as number | undefined) ?? 20;
  return min <= max ? p : { ...p, leverageMin: max, leverageMax: min };
}

const STRATEGIES: Record<string, Record<string, fc.Arbitrary<Obj>>> = {
  traders: {
    noise: some({
      arrivalProbability: frac,
      leverageMin: lev,
      leverageMax: lev,
      longProbability: frac,
      minEquity: dbl(0, 10_000),
      openAtStart: fc.boolean(),
    }).map(leverageInOrder),
    momentum: some({
      lookbackTicks: fc.integer({ min: 1, max: 200 }),
      threshold: dbl(0, 0.1),
      leverage: lev,
      reviewProbability: frac,
      margin: marginArb,
    }),
    'mean-reversion': some({
      lookbackTicks: fc.integer({ min: 2, max: 200 }),
      threshold: dbl(0, 0.1),
      exitThreshold: dbl(0, 0.05),
      leverage: lev,
      reviewProbability: frac,
      margin: marginArb,
    }),
    hold: fc.oneof(
      some({
        leverage: lev,
        side: fc.constantFrom('long', 'short', 'random'),
        longProbability: frac,
        leverageSigma: dbl(0, 3),
        openWithinTicks: fc.integer({ min: 0, max: 500 }),
        margin: marginArb,
      }),
      // an empirical leverage histogram instead of the log-normal
      some({
        side: fc.constantFrom('long', 'short', 'random'),
        leverageHistogram: histogramArb,
        openWithinTicks: fc.integer({ min: 0, max: 500 }),
        margin: marginArb,
      }),
    ),
    whale: some({
      leverage: lev,
      side: fc.constantFrom('long', 'short'),
      addEveryTicks: fc.integer({ min: 0, max: 50 }),
      addFraction: dbl(0, 2),
      maxLeverage: lev,
      margin: marginArb,
      withdrawAtTick: fc.integer({ min: -1, max: 200 }),
    }),
    // the test-only strategies (test/waterfall-keepers.ts): spot round trips sliced into many orders
    'test-spot-cycle': some({ slices: fc.integer({ min: 1, max: 60 }) }),
    attacker: some({
      notionalUsd: logDbl(1, 1e8),
      baitLeverage: lev,
      startTick: fc.integer({ min: 0, max: 300 }),
      pushStartTick: fc.integer({ min: 0, max: 300 }),
      pushTicks: fc.integer({ min: 0, max: 300 }),
      pushUsdPerTick: fc.oneof(fc.constant(0), logDbl(1, 1e8)),
      exitTick: fc.integer({ min: 0, max: 300 }),
      exitTicks: fc.integer({ min: 1, max: 60 }),
    }),
  },
  liquidators: {
    'fixed-spread-taker': some(keeper),
    'dutch-taker': some(keeper),
    'english-bidder': some({ ...keeper, openingFraction: frac, increment: dbl(0.001, 1) }),
    // a backstop provider for the capacity-providers stage (test/waterfall-keepers.ts)
    'test-provider': fc.record({ perMinuteUsd: logDbl(1, 1e9), perHourUsd: logDbl(1, 1e10) }),
  },
  lps: {
    'lp-passive': fc.constant({}),
    'lp-yield-chaser': some({
      hurdle: dbl(-1, 2),
      lookbackTicks: fc.integer({ min: 1, max: 500 }),
      reviewEveryTicks: fc.integer({ min: 1, max: 200 }),
      startIn: fc.boolean(),
    }),
    'lp-panic': some({ drawdown: dbl(0.001, 1), volThreshold: logDbl(0.01, 100) }),
    'lp-front-runner': some({ takeoverShare: logDbl(1e-4, 10) }),
  },
  arbitrageurs: {
    'basis-arb': some({
      entryThreshold: dbl(0, 0.05),
      exitThreshold: dbl(0, 0.01),
      maxLeverage: lev,
      inventoryLimitUsd: logDbl(1, 1e9),
      maxImpactPerTick: dbl(1e-6, 0.1),
      spotShare: frac,
      baseShare: frac,
    }),
    'funding-carry': some({
      entryThreshold: dbl(0, 0.05),
      leverage: lev,
      maxImpactPerTick: dbl(1e-6, 0.1),
      spotShare: frac,
    }),
  },
  marketMakers: {
    'passive-mm': some({
      depthUsd: fc.oneof(fc.constant(0), logDbl(1, 1e9)),
      inventoryLimitUsd: logDbl(1, 1e9),
      minDepthFraction: frac,
    }),
  },
};

/** A role's population: up to three mix entries with counts (the role count is their sum). */
function roleArb(role: string, maxCount: number, maxEntries: number, minEntries = 0) {
  const names = Object.keys(STRATEGIES[role]);
  const entry = fc.constantFrom(...names).chain((strategy) =>
    fc.record(
      {
        strategy: fc.constant(strategy),
        count: fc.integer({ min: 0, max: maxCount }),
        params: STRATEGIES[role][strategy],
        capital: capitalArb,
      },
      { requiredKeys: ['strategy', 'count', 'params'] },
    ),
  );
  return fc.record(
    { capital: capitalArb, mix: fc.array(entry, { minLength: minEntries, maxLength: maxEntries }) },
    { requiredKeys: ['mix'] },
  );
}

const agentsArb = fc.record({
  traders: roleArb('traders', 150, 3, 1),
  liquidators: roleArb('liquidators', 6, 2),
  lps: roleArb('lps', 8, 2),
  arbitrageurs: roleArb('arbitrageurs', 4, 2),
  marketMakers: roleArb('marketMakers', 3, 1),
  riskFreeRate: dbl(0, 0.2),
});

// ------------------------------------------------------------------ the config

/** A random valid config (input form: absent fields take their defaults). */
export const configArb: fc.Arbitrary<Obj> = fc
  .record({
    ticks: fc.oneof(
      { arbitrary: fc.integer({ min: 100, max: 300 }), weight: 4 },
      fc.integer({ min: 1, max: 300 }),
    ),
    dtSeconds: fc.constantFrom(1, 10, 60, 60, 60, 300, 3600),
  })
  .chain(({ ticks, dtSeconds }) =>
    fc.record({
      ticks: fc.constant(ticks),
      dtSeconds: fc.constant(dtSeconds),
      market: marketArb(ticks),
      venue: venueArb,
      agents: agentsArb,
      waterfall: stagesArb(ticks).map((stages) => ({ stages })),
    }),
  )
  .map(validFeeSplit);

/**
 * The market stage's fee shares may not exceed 1 in total, its insurance-fund share defaulting to the
 * venue's `liquidationFeeToFund` (1 by default): scales them down where they would.
 */
function validFeeSplit(cfg: Obj): Obj {
  const venue = cfg.venue as Obj;
  for (const s of (cfg.waterfall as { stages: Obj[] }).stages) {
    const fs = s.feeSplit as Record<string, number> | undefined;
    if (s.stage !== 'market' || !fs) continue;
    const fund = fs.insuranceFund ?? (venue.liquidationFeeToFund as number | undefined) ?? 1;
    const t = fund + (fs.vault ?? 0) + (fs.liquidator ?? 0);
    if (t <= 1) continue;
    const k = 1 / t / (1 + 1e-9);
    s.feeSplit = {
      insuranceFund: fund * k,
      vault: (fs.vault ?? 0) * k,
      liquidator: (fs.liquidator ?? 0) * k,
    };
  }
  return cfg;
}

/** A config and the seed of its run. */
export const caseArb = fc.record({ config: configArb, seed: fc.integer({ min: 0, max: 0xffffffff }) });
