import '../builtins.js';
import { BackstopInputError, ConfigError, type InputIssue } from '../errors.js';
import { getPriceModel, listPriceModels } from '../market/price/registry.js';
import { getStrategy, listStrategies } from '../strategy.js';
import { checkStages, type StageEntry } from '../waterfall/waterfall.js';
import { CAPITAL_TAIL_Z, fmt, horizonOf, MAX_AGENTS, MAX_SHOCK_LOG, MAX_USD } from './bounds.js';
import { zodIssues } from './format.js';
import { inputValueIssues } from './input-check.js';
import { type Capital, ROLES, type SimConfig, type SimConfigInput, simConfigSchema } from './schema.js';

/** Options of {@link parseConfig}. */
export interface ParseOptions {
  /** Prefix of every reported path (e.g. `base` for an experiment's base config). */
  prefix?: string;
  /** Directory of the config file: when given, files the config names are checked now. */
  baseDir?: string;
  /**
   * Skip the checks that tie fields to the run's length (ticks × dtSeconds): the price model's drift and
   * volatility over the horizon, shocks within the run. For a config about to be changed (a preset's or
   * the command line's `set` overrides, applied to the parsed config) and parsed again in full.
   */
  skipHorizonChecks?: boolean;
}

/**
 * Validates a config and fills in every default. Throws a {@link ConfigError} listing every problem with
 * the dotted path of its field and what is allowed: unknown keys, wrong types, out-of-range values, an
 * unknown price model or strategy, a strategy in the wrong role, tiers out of order.
 *
 * Strategies named in `strategies` must have been loaded (see `loadConfigModules`) before this is called.
 *
 * @example parseConfig({ ticks: 100, market: { index: { model: 'gbm', sigma: 0.8 } } })
 */
export function parseConfig(input: SimConfigInput | unknown, opts: ParseOptions = {}): SimConfig {
  const prefix = opts.prefix ?? '';
  // plain data first: a prototype key, a function or a value nested thousands deep never reaches zod
  const notData = inputValueIssues(input, prefix);
  if (notData.length > 0) throw new ConfigError(notData);
  const r = simConfigSchema.safeParse(input);
  if (!r.success) throw new ConfigError(zodIssues(r.error, simConfigSchema, input, prefix));
  const cfg = r.data;
  const issues: InputIssue[] = [];
  const at = (p: string) => (prefix ? `${prefix}.${p}` : p);

  // the index price model
  const idx = cfg.market.index as Record<string, unknown>;
  const model = getPriceModel(String(idx.model));
  if (!model) {
    issues.push({
      path: at('market.index.model'),
      message: `unknown price model ${JSON.stringify(idx.model)}; allowed: ${listPriceModels()
        .map((m) => m.name)
        .join(', ')}`,
    });
  } else {
    const pr = model.params.safeParse(idx);
    if (pr.success) {
      cfg.market.index = pr.data as Record<string, unknown>;
      let checked = true;
      if (opts.baseDir !== undefined && model.check) {
        try {
          model.check(pr.data, opts.baseDir);
        } catch (e) {
          if (!(e instanceof BackstopInputError)) throw e;
          for (const i of e.issues)
            issues.push({ path: at('market.index'), message: `${i.path}: ${i.message}` });
          checked = false;
        }
      }
      // what the model can simulate over this run's horizon (paths overflowing or underflowing float64)
      if (checked && !opts.skipHorizonChecks && model.limits) {
        const horizon = horizonOf(cfg.ticks, cfg.dtSeconds);
        for (const i of model.limits(pr.data, { horizon, baseDir: opts.baseDir }))
          issues.push({ path: at(`market.index.${i.path}`), message: i.message });
      }
    } else issues.push(...zodIssues(pr.error, model.params, idx, at('market.index')));
  }

  // shocks: within the run, and together at most a factor e^50 either way
  let shockLog = 0;
  cfg.market.shocks.forEach((sh, i) => {
    shockLog += Math.abs(Math.log1p(sh.change));
    // a shock moves the index from the tick after atTick on; the run's last tick is ticks − 1
    if (!opts.skipHorizonChecks && sh.atTick > cfg.ticks - 2)
      issues.push({
        path: at(`market.shocks[${i}].atTick`),
        message: `tick ${sh.atTick} is too late: a shock moves the index from the tick after it on and the run's last tick is ${cfg.ticks - 1}, so it would move no price; allowed: 0 to ${cfg.ticks - 2} (ticks − 2)`,
      });
  });
  if (shockLog > MAX_SHOCK_LOG)
    issues.push({
      path: at('market.shocks'),
      message: `the shocks together move the log price by Σ|ln(1 + change)| = ${fmt(shockLog)}; allowed: at most ${MAX_SHOCK_LOG} (a price factor of e^${MAX_SHOCK_LOG} ≈ 5e21 either way; beyond it prices overflow or underflow)`,
    });

  // margin tiers
  const tiers = cfg.venue.tiers;
  if (tiers[0].minNotional !== 0)
    issues.push({ path: at('venue.tiers[0].minNotional'), message: 'the first tier must start at 0' });
  tiers.forEach((t, i) => {
    if (i > 0 && !(t.minNotional > tiers[i - 1].minNotional))
      issues.push({
        path: at(`venue.tiers[${i}].minNotional`),
        message: 'tiers must be in strictly ascending minNotional',
      });
    if (!(t.mmr <= t.imr))
      issues.push({
        path: at(`venue.tiers[${i}].mmr`),
        message: `maintenance rate may not exceed the initial rate (imr ${t.imr}): a position opened at the largest leverage would be liquidated at once`,
      });
    // an order cut to what margin allows falls in a tier no higher than the whole order's: its rate must
    // be no higher either
    if (i > 0 && !(t.imr >= tiers[i - 1].imr))
      issues.push({
        path: at(`venue.tiers[${i}].imr`),
        message: `initial rates may not fall as notional grows (tier ${i - 1} has imr ${tiers[i - 1].imr})`,
      });
  });

  // populations
  let agents = 0;
  for (const role of ROLES) {
    const r = cfg.agents[role];
    const base = at(`agents.${role}`);
    issues.push(...capitalIssues(r.capital, `${base}.capital`));
    let counted = 0;
    let fractions = 0;
    let broken = false;
    r.mix.forEach((m, k) => {
      const p = `${base}.mix[${k}]`;
      const s = getStrategy(m.strategy);
      if (!s) {
        const names = listStrategies()
          .filter((x) => x.role === role)
          .map((x) => x.name);
        issues.push({
          path: `${p}.strategy`,
          message: `unknown strategy ${JSON.stringify(m.strategy)}; allowed for ${role}: ${names.join(', ') || 'none registered'}`,
        });
        broken = true;
        return;
      }
      if (s.role !== role) {
        issues.push({
          path: `${p}.strategy`,
          message: `strategy '${m.strategy}' is for ${s.role}, not ${role}`,
        });
        broken = true;
        return;
      }
      if ((m.count === undefined) === (m.fraction === undefined))
        issues.push({ path: p, message: 'give exactly one of count or fraction' });
      counted += m.count ?? 0;
      fractions += m.fraction ?? 0;
      if (m.capital) issues.push(...capitalIssues(m.capital, `${p}.capital`));
      const pr = s.params.safeParse(m.params);
      if (pr.success) m.params = pr.data;
      else issues.push(...zodIssues(pr.error, s.params, m.params, `${p}.params`));
    });
    if (r.mix.length === 0 && r.count > 0)
      issues.push({ path: `${base}.mix`, message: `${r.count} agents but no strategy mix` });
    if (broken) continue;
    if (fractions === 0 && r.mix.length > 0) {
      if (r.count === 0) r.count = counted;
      else if (counted !== r.count)
        issues.push({ path: `${base}.count`, message: `is ${r.count} but the mix counts sum to ${counted}` });
    } else if (fractions > 0) {
      if (counted > r.count)
        issues.push({
          path: `${base}.count`,
          message: `is ${r.count} but the mix counts alone sum to ${counted}`,
        });
      if (Math.abs(fractions - 1) > 1e-9)
        issues.push({ path: `${base}.mix`, message: `fractions must sum to 1 (they sum to ${fractions})` });
    }
    agents += Math.max(r.count, counted);
  }
  if (agents > MAX_AGENTS)
    issues.push({
      path: at('agents'),
      message: `${fmt(agents)} agents in all (${ROLES.map((role) => `${role} ${fmt(cfg.agents[role].count)}`).join(', ')}); allowed: at most ${fmt(MAX_AGENTS)} over every role (each agent costs about 320 bytes of per-account arrays in a run: 3.2 GB per worker at the maximum)`,
    });
  // the waterfall: each stage's parameters, and an order that can work
  issues.push(
    ...checkStages(
      cfg.waterfall.stages as StageEntry[],
      at,
      opts.skipHorizonChecks ? undefined : { ticks: cfg.ticks },
    ),
  );
  // the market stage's fee split, whose insurance-fund share defaults to the venue's
  (cfg.waterfall.stages as StageEntry[]).forEach((s, i) => {
    const split = s.feeSplit as { insuranceFund?: number; vault?: number; liquidator?: number } | undefined;
    if (s.stage !== 'market' || !split) return;
    const fund = split.insuranceFund ?? cfg.venue.liquidationFeeToFund;
    const sum = fund + (split.vault ?? 0) + (split.liquidator ?? 0);
    if (sum > 1 + 1e-12)
      issues.push({
        path: at(`waterfall.stages[${i}].feeSplit`),
        message: `shares sum to ${sum} (insuranceFund ${fund}${split.insuranceFund === undefined ? ' from venue.liquidationFeeToFund' : ''} + vault ${split.vault ?? 0} + liquidator ${split.liquidator ?? 0}); allowed: a total of at most 1 (the rest goes to the venue)`,
      });
  });
  if (issues.length > 0) throw new ConfigError(issues);
  return cfg;
}

/**
 * Cross-field checks of a capital distribution: uniform min ≤ max; lognormal capital whose draw 6
 * standard deviations above the median (1 agent in a billion) stays within {@link MAX_USD}.
 */
function capitalIssues(c: Capital, path: string): InputIssue[] {
  if (c.dist === 'uniform' && c.min > c.max)
    return [
      {
        path: `${path}.min`,
        message: `must be ≤ max (${c.max}); allowed: 0 ≤ min ≤ max ≤ ${fmt(MAX_USD)} USD`,
      },
    ];
  if (c.dist === 'lognormal') {
    const tail = c.median * Math.exp(CAPITAL_TAIL_Z * c.sigma);
    if (!(tail <= MAX_USD)) {
      const max = Math.log(MAX_USD / c.median) / CAPITAL_TAIL_Z;
      return [
        {
          path: `${path}.sigma`,
          message: `with median ${fmt(c.median)} USD the 1-in-a-billion agent (${CAPITAL_TAIL_Z} standard deviations up) gets median · e^(${CAPITAL_TAIL_Z}·sigma) = ${fmt(tail)} USD; allowed: at most ${fmt(MAX_USD)} USD, i.e. sigma ≤ ${fmt(Math.max(0, max))} with this median`,
        },
      ];
    }
  }
  return [];
}
