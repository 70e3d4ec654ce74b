/**
 * The simulation config: one zod schema, strict at every level (an unknown key is an error), every field
 * with a default and its unit in the description. `backstop-sim validate` prints the resolved config.
 *
 * Parts that plug in (the price model, strategies' parameters, waterfall stages) are validated against
 * their own registered schemas by `parseConfig` in `./parse.ts`.
 */
import { z } from 'zod';
import { shockSchema } from '../market/price/shocks.js';
import {
  atLeast,
  atMost,
  CAPITAL_TAIL_Z,
  MAX_AGENTS,
  MAX_BOOK_DEPTH_USD,
  MAX_CAPITAL_LOG_SIGMA,
  MAX_CONGESTION,
  MAX_DT_SECONDS,
  MAX_FUND_SHARE,
  MAX_ORACLE_NOISE,
  MAX_RISK_FREE_RATE,
  MAX_THINNING,
  MAX_TICKS,
  MAX_USD,
  MIN_BOOK_DEPTH_USD,
  MIN_DT_SECONDS,
  MIN_REF_VOL,
  USD_REASON,
} from './bounds.js';

const nonneg = () => z.number().finite().min(0);
const pos = () => z.number().finite().positive();
const frac = () => z.number().finite().min(0).max(1);
/** A USD amount from 0 to {@link MAX_USD}. */
const usd = () => nonneg().max(MAX_USD, atMost(MAX_USD, 'USD', USD_REASON));
/** A number of agents: 0 to {@link MAX_AGENTS}. */
const agentCount = () =>
  z
    .number()
    .int()
    .min(0)
    .max(
      MAX_AGENTS,
      atMost(
        MAX_AGENTS,
        'agents',
        'each agent costs about 320 bytes of per-account arrays in a run: 3.2 GB per worker at the maximum',
      ),
    );
/** A dimensionless congestion multiplier: 0 to {@link MAX_CONGESTION}. */
const congestion = () =>
  nonneg().max(
    MAX_CONGESTION,
    atMost(MAX_CONGESTION, '', 'so that gas = gasUsd · (1 + gasPerLevel · level) stays finite'),
  );

/** A capital distribution for a population: USD per agent. */
export const capitalSchema = z.discriminatedUnion('dist', [
  z.strictObject({
    dist: z.literal('fixed'),
    value: usd().describe('capital of every agent (USD, at most 1e15)'),
  }),
  z.strictObject({
    dist: z.literal('uniform'),
    min: usd().describe('lowest capital (USD, at most max)'),
    max: usd().describe('highest capital (USD, at most 1e15)'),
  }),
  z.strictObject({
    dist: z.literal('lognormal'),
    median: pos()
      .max(MAX_USD, atMost(MAX_USD, 'USD', USD_REASON))
      .describe('median capital (USD, at most 1e15)'),
    sigma: nonneg()
      .max(
        MAX_CAPITAL_LOG_SIGMA,
        atMost(
          MAX_CAPITAL_LOG_SIGMA,
          '',
          'real account sizes have a log standard deviation of about 1.5–2.5; at 5 the top agent in a million holds 1e10× the median',
        ),
      )
      .describe(
        `standard deviation of log capital (at most 5, and median · e^(${CAPITAL_TAIL_Z}·sigma) at most 1e15 USD)`,
      ),
  }),
]);

/** One strategy in a role's mix (schema). Exactly one of `count` or `fraction`. */
export const mixEntrySchema = z.strictObject({
  strategy: z.string().min(1).describe('registered strategy name (see `backstop-sim list`)'),
  count: agentCount().optional().describe('number of agents playing it (at most 10,000,000)'),
  fraction: frac().optional().describe("share of the role's agents playing it (0..1)"),
  params: z.record(z.string(), z.unknown()).prefault({}).describe("the strategy's parameters"),
  capital: capitalSchema.optional().describe("overrides the role's capital distribution"),
});

/** A role's population: how many agents, their capital, and the mix of strategies. */
export const roleSchema = z.strictObject({
  count: agentCount().default(0).describe('agents in this role (at most 10,000,000 over all roles together)'),
  capital: capitalSchema.prefault({ dist: 'fixed', value: 10_000 }).describe('USD per agent'),
  mix: z.array(mixEntrySchema).default([]).describe('strategies played, with counts or fractions'),
});

/** The roles agents play, as keys of the config's `agents` section. */
export const ROLES = ['traders', 'liquidators', 'lps', 'arbitrageurs', 'marketMakers'] as const;
/** A role: the population an agent belongs to. */
export type Role = (typeof ROLES)[number];

const tierSchema = z.strictObject({
  minNotional: nonneg()
    .default(0)
    .describe('tier applies from this entry notional |q|·p0 up (USD; the first tier starts at 0)'),
  mmr: z.number().positive().max(1).describe('maintenance margin rate (fraction of notional)'),
  imr: z.number().positive().max(1).describe('initial margin rate = 1 / max leverage'),
});

/**
 * The zod schema of a simulation config. Prefer {@link parseConfig} (`./parse.ts`), which also validates the
 * parts that plug in (price model, strategies' parameters).
 */
export const simConfigSchema = z.strictObject({
  ticks: z
    .number()
    .int()
    .positive()
    .max(
      MAX_TICKS,
      atMost(
        MAX_TICKS,
        'ticks',
        '19 years of one-minute ticks; the run keeps 16 bytes a tick of index and marks',
      ),
    )
    .default(1440)
    .describe('number of ticks in a run (at most 10,000,000)'),
  dtSeconds: z
    .number()
    .finite()
    .min(
      MIN_DT_SECONDS,
      atLeast(
        MIN_DT_SECONDS,
        's',
        "1 ms: realized volatility divides by the tick's length and overflows below it",
      ),
    )
    .max(MAX_DT_SECONDS, atMost(MAX_DT_SECONDS, 's', 'one year: margin is checked once a tick'))
    .default(60)
    .describe('tick duration (seconds, 0.001 to 31,536,000)'),
  market: z
    .strictObject({
      // validated against the registered price model in parse.ts
      index: z
        .record(z.string(), z.unknown())
        .prefault({ model: 'gbm' })
        .describe('index price process: { model: gbm | merton | garch | replay, ...its parameters }'),
      shocks: z.array(shockSchema).default([]).describe('shock overlays on the index path'),
      oracle: z
        .strictObject({
          delaySeconds: nonneg().default(0).describe('oracle reads the index this long ago (seconds)'),
          heartbeatSeconds: pos().default(3600).describe('oracle updates at least this often (seconds)'),
          deviation: nonneg()
            .default(0.005)
            .describe('oracle also updates when the index moves this much (fraction)'),
          noise: nonneg()
            .max(MAX_ORACLE_NOISE, atMost(MAX_ORACLE_NOISE, '', 'a noisier oracle reports no price at all'))
            .default(0)
            .describe(
              'standard deviation of the log noise of oracle prints (the print is price · e^(noise · z); at most 0.5)',
            ),
        })
        .prefault({}),
      liquidity: z
        .strictObject({
          depthUsd: z
            .number()
            .finite()
            .positive({ abort: true })
            .min(
              MIN_BOOK_DEPTH_USD,
              atLeast(MIN_BOOK_DEPTH_USD, 'USD', 'below it the depth thinned by volatility can round to 0'),
            )
            .max(
              MAX_BOOK_DEPTH_USD,
              atMost(
                MAX_BOOK_DEPTH_USD,
                'USD',
                'a deeper book is a book that never moves; 100 · depth stays finite',
              ),
            )
            .default(20_000_000)
            .describe('signed flow that moves the mark 1% (USD, 1e-6 to 1e300)'),
          resilience: frac().default(0.9).describe('share of the price impact left after one tick'),
          volWindowTicks: z
            .number()
            .int()
            .min(2)
            .max(MAX_TICKS, atMost(MAX_TICKS, 'ticks', 'the most ticks a run has'))
            .default(60)
            .describe('window of realized volatility (ticks)'),
          refVol: z
            .number()
            .finite()
            .positive({ abort: true })
            .min(MIN_REF_VOL, atLeast(MIN_REF_VOL, '', 'realized volatility is divided by it'))
            .default(0.8)
            .describe('annualised volatility at which depth is at its base level (at least 0.001)'),
          thinning: nonneg()
            .max(MAX_THINNING, atMost(MAX_THINNING, '', 'beyond it the thinned depth can round to 0'))
            .default(0)
            .describe('depth = depthUsd / (1 + thinning · max(0, realizedVol/refVol − 1)) (dimensionless)'),
          agentSlippage: z
            .boolean()
            .default(true)
            .describe(
              "agents' orders pay their price impact; false: they fill at the mark and, having paid no impact, do not move it",
            ),
          unpaidFlowMovesMark: z
            .boolean()
            .default(false)
            .describe(
              "with agentSlippage false, agents' orders still move the next mark (the declared benchmark model's rule, bench/DECLARATION.md; a money pump for an agent trading against its own impact, so only for the benchmark)",
            ),
          impact: z
            .enum(['shared', 'own'])
            .default('shared')
            .describe(
              "'shared': an order walks the book from where the tick's earlier orders left it; 'own': each order pays only its own impact against the tick's mark (the benchmark model's rule)",
            ),
        })
        .prefault({}),
      funding: z
        .strictObject({
          enabled: z.boolean().default(true).describe('charge funding'),
          intervalSeconds: pos().default(3600).describe('funding interval (seconds)'),
          cap: nonneg().default(0.0005).describe('cap on |rate| per interval (fraction of notional)'),
        })
        .prefault({}),
      spot: z
        .strictObject({
          depthUsd: usd()
            .default(0)
            .describe(
              'spot buying/selling that moves the index 1% (USD); 0 = an infinitely deep spot market',
            ),
          resilience: frac().default(0.95).describe('share of the spot price impact left after one tick'),
        })
        .prefault({})
        .describe('the spot market the index is taken from, when agents can move it (manipulation, hedges)'),
      congestion: z
        .strictObject({
          baseline: congestion()
            .default(0)
            .describe('congestion level in calm markets (dimensionless, 0 = none)'),
          sensitivity: congestion()
            .default(0)
            .describe(
              'level added per unit of realized vol above refVol: level = baseline + sensitivity · max(0, rv/refVol − 1)',
            ),
          series: z
            .strictObject({
              everySeconds: pos().describe('spacing of the replayed levels (seconds)'),
              values: z
                .array(congestion())
                .min(1)
                .describe('congestion levels, held until the next one (each at most 1e6)'),
            })
            .optional()
            .describe('a replayed congestion series; replaces baseline + sensitivity'),
          gasUsd: usd().default(2).describe('cost of one keeper transaction at level 0 (USD)'),
          gasPerLevel: congestion()
            .default(1)
            .describe('gas cost multiplier: gas = gasUsd · (1 + gasPerLevel · level)'),
          delayTicksPerLevel: nonneg()
            .default(0)
            .describe('keeper actions land floor(delayTicksPerLevel · level) ticks late'),
          failureRate: nonneg()
            .default(0)
            .describe('keeper actions fail with probability 1 − exp(−failureRate · level)'),
        })
        .prefault({}),
    })
    .prefault({}),
  venue: z
    .strictObject({
      marginPrice: z.enum(['mark', 'oracle']).default('mark').describe('price margin is checked against'),
      priceBand: z
        .strictObject({
          width: z
            .number()
            .finite()
            .positive()
            .max(0.99)
            .default(0.05)
            .describe(
              "the mark and every fill through the book stay within reference · (1 ± width); an order beyond is cut to the band's edge, or rejected (fraction; 5% as Binance USDⓈ-M's PERCENT_PRICE filter for BTC and ETH and Paradex's price bands)",
            ),
          reference: z
            .enum(['oracle', 'index'])
            .default('oracle')
            .describe(
              "the band's centre: the venue's oracle, or the index (for venues whose oracle is deliberately late, e.g. MakerDAO's one-hour OSM, where the book stands for the spot market)",
            ),
        })
        .prefault({})
        .describe('price band of the book (price limits)'),
      tiers: z
        .array(tierSchema)
        .min(1)
        .default([{ minNotional: 0, mmr: 0.02, imr: 0.04 }])
        .describe('margin tiers, ascending minNotional, the first at 0'),
      takerFee: nonneg().max(0.1).default(0.0005).describe('taker fee (fraction of notional)'),
      feeOn: z
        .enum(['all', 'close'])
        .default('all')
        .describe("which trades pay the taker fee: 'all', or 'close' (only reducing trades)"),
      liquidationFee: nonneg()
        .max(0.5)
        .default(0.01)
        .describe('liquidation fee (fraction of closed notional)'),
      insuranceFund: usd().default(1_000_000).describe('insurance fund at the start (USD, at most 1e15)'),
      insuranceFundShareOfCollateral: nonneg()
        .max(MAX_FUND_SHARE, atMost(MAX_FUND_SHARE, '', 'a fund as large as all the collateral'))
        .default(0)
        .describe(
          'added to the fund at the start: this share of all initial collateral (fraction, at most 1)',
        ),
      liquidationFeeToFund: frac()
        .default(1)
        .describe('share of liquidation fees paid into the insurance fund'),
      withdrawUnrealized: z
        .boolean()
        .default(false)
        .describe(
          'an account with a position may withdraw down to initial margin, unrealized PnL included (Hyperliquid until March 2025); otherwise never more than its cash',
        ),
      withdrawMarginFloor: frac()
        .default(0)
        .describe(
          "a withdrawal leaves at least this share of the position's notional as equity, when above initial margin (fraction; Hyperliquid since March 2025: 0.2)",
        ),
    })
    .prefault({}),
  agents: z
    .strictObject({
      traders: roleSchema.prefault({}),
      liquidators: roleSchema.prefault({}),
      lps: roleSchema.prefault({}),
      arbitrageurs: roleSchema.prefault({}),
      marketMakers: roleSchema.prefault({}),
      riskFreeRate: nonneg()
        .max(MAX_RISK_FREE_RATE, atMost(MAX_RISK_FREE_RATE, 'per year', '100% a year'))
        .default(0.05)
        .describe("annual return of agents' outside option: capital × rate × horizon (fraction per year)"),
    })
    .prefault({}),
  waterfall: z
    .strictObject({
      // each entry validated against its registered stage's schema in parse.ts
      stages: z
        .array(z.looseObject({ stage: z.string().min(1).describe('registered stage name') }))
        .default(() => [
          { stage: 'market' },
          { stage: 'insurance-fund' },
          { stage: 'adl' },
          { stage: 'socialized' },
        ])
        .describe(
          'stages in order: { stage: market | takeover | dutch-auction | english-auction | capacity-providers | vault | insurance-fund | adl | socialized | settlement, ...its parameters }',
        ),
    })
    .prefault({}),
  strategies: z
    .array(z.string().min(1))
    .default([])
    .describe('extra strategy modules to load (paths to .ts/.js files, relative to the config file)'),
});

/** The config as the user writes it (every field optional). */
export type SimConfigInput = z.input<typeof simConfigSchema>;
/** The resolved config: every default filled in. */
export type SimConfig = z.output<typeof simConfigSchema>;
/** One margin tier. */
export type Tier = z.output<typeof tierSchema>;
/** A capital distribution. */
export type Capital = z.output<typeof capitalSchema>;
