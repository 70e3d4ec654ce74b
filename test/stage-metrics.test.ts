/**
 * Stages declare the metrics they contribute (`StageDef.metrics`, like Mesa's reporters) and write them in
 * the run's metric slots; the engine holds no stage's counters (issue 19). A slot no listed stage declares
 * stays 0, or the run fails; `list` shows each stage's metrics.
 */
import { describe, expect, it } from 'vitest';
import {
  defineStage,
  defineStrategy,
  keepers,
  metricSlot,
  registerStage,
  registerStrategy,
  type StageInstance,
  serviceToken,
  simulate,
  VAULT_SERVICE,
  type VenueContext,
  z,
} from '../src/index.js';
import { cli } from './cli-helpers.js';
import { crashConfig } from './helpers.js';

/** A closer that counts the accounts handed to it in `auctions` (through the slot it declares), then passes them on. */
class Counter implements StageInstance {
  constructor(
    private readonly sim: VenueContext,
    private readonly slot: number,
  ) {}
  liquidate(): boolean {
    this.sim.metrics[this.slot]++;
    return false;
  }
}

const stages = (name: string) => ({ waterfall: { stages: [{ stage: name }, { stage: 'market' }] } });

describe('metrics a stage declares', () => {
  it('a declared metric is what the stage wrote in its slot; every account it saw was handed on', () => {
    registerStage(
      defineStage({
        name: 'test-counter',
        description: 'counts accounts handed to it',
        role: 'close',
        metrics: ['auctions'],
        params: z.strictObject({}),
        build: ({ sim, metric }) => new Counter(sim, metric('auctions')),
      }),
    );
    const r = simulate({ ...crashConfig(300, 200), ...stages('test-counter') }, { seed: 3 });
    expect(r.metrics.liquidations).toBeGreaterThan(0);
    // every account the counter saw went on to the market stage, whose closes are the liquidations
    expect(r.metrics.auctions).toBeGreaterThanOrEqual(r.metrics.liquidations);
  });

  it('asking for the slot of a metric it does not declare fails when the run is built, naming both', () => {
    registerStage(
      defineStage({
        name: 'test-sneaky',
        description: 'asks for a metric it does not declare',
        role: 'close',
        params: z.strictObject({}),
        build: ({ sim, metric }) => new Counter(sim, metric('adl_events')),
      }),
    );
    expect(() => simulate({ ...crashConfig(50, 20), ...stages('test-sneaky') }, { seed: 1 })).toThrow(
      "stage 'test-sneaky' writes metric adl_events but does not declare it: add it to its metrics",
    );
  });

  it('writing a slot no listed stage declares fails the run', () => {
    registerStage(
      defineStage({
        name: 'test-rogue',
        description: 'writes a slot without declaring it',
        role: 'close',
        params: z.strictObject({}),
        build: ({ sim }) => new Counter(sim, metricSlot('zero_bid_auctions')),
      }),
    );
    expect(() => simulate({ ...crashConfig(300, 200), ...stages('test-rogue') }, { seed: 3 })).toThrow(
      /metric zero_bid_auctions was written \(\d+\) but no stage listed declares it/,
    );
  });

  it('a declaration of something that is no stage metric is refused at registration', () => {
    expect(() =>
      registerStage(
        defineStage({
          name: 'test-bad-metrics',
          description: 'x',
          role: 'close',
          // biome-ignore lint/suspicious/noExplicitAny: a wrong declaration on purpose
          metrics: ['loss'] as any,
          params: z.strictObject({}),
          build: ({ sim }) => new Counter(sim, 0),
        }),
      ),
    ).toThrow(
      /metrics\[0\]: "loss" is not a metric a stage contributes \(auctions, zero_bid_auctions, .*vault_max_drawdown\); a metric of its own is \{ column, description \}/,
    );
  });

  it('writing the slot of a metric the engine computes fails the run, naming it', () => {
    registerStage(
      defineStage({
        name: 'test-loss-writer',
        description: 'writes the loss slot',
        role: 'close',
        params: z.strictObject({}),
        build: ({ sim }) => new Counter(sim, metricSlot('loss')),
      }),
    );
    expect(() => simulate({ ...crashConfig(300, 200), ...stages('test-loss-writer') }, { seed: 3 })).toThrow(
      /metric loss's slot was written \(\d+\), but the engine computes loss: a stage writes only the metrics it declares/,
    );
  });

  it('a declared count that is no whole number, or a metric outside its range, fails the run', () => {
    const setter = (name: string, metric: 'zero_bid_auctions' | 'vault_max_drawdown', value: number) =>
      registerStage(
        defineStage({
          name,
          description: 'sets a metric at the end',
          role: 'close',
          metrics: [metric],
          params: z.strictObject({}),
          build: ({ sim, metric: slot }) => {
            const k = slot(metric);
            return {
              liquidate: () => false,
              report() {
                sim.metrics[k] = value;
              },
            };
          },
        }),
      );
    setter('test-frac', 'zero_bid_auctions', 2.5);
    setter('test-huge', 'zero_bid_auctions', 3e9);
    setter('test-dd', 'vault_max_drawdown', 5);
    const cfg = crashConfig(50, 20);
    expect(() => simulate({ ...cfg, ...stages('test-frac') }, { seed: 1 })).toThrow(
      'metric zero_bid_auctions is 2.5, not a count (a whole number from 0 to 2³¹ − 1)',
    );
    // an Int32 column would have wrapped it to a negative number
    expect(() => simulate({ ...cfg, ...stages('test-huge') }, { seed: 1 })).toThrow(
      'metric zero_bid_auctions is 3000000000, not a count',
    );
    expect(() => simulate({ ...cfg, ...stages('test-dd') }, { seed: 1 })).toThrow(
      'metric vault_max_drawdown is 5, outside its range (0 to 1)',
    );
  });

  it('a payer that books more than the shortfalls it was given fails the run: who paid must add up', () => {
    registerStage(
      defineStage({
        name: 'test-fabricator',
        description: 'books a payment that never happened',
        role: 'pay',
        pays: { column: 'paid_by_fabricator', label: 'fabricator', description: 'x (USD)' },
        params: z.strictObject({}),
        build: ({ waterfall, index }) => {
          let once = true;
          return {
            cover: () => 0,
            settleTick() {
              if (once) waterfall.settled(index, 0, 1e6, 0, 1, 0);
              once = false;
            },
          };
        },
      }),
    );
    const cfg = crashConfig(50, 20);
    const waterfall = {
      stages: [{ stage: 'market' }, { stage: 'test-fabricator' }, { stage: 'insurance-fund' }],
    };
    expect(() => simulate({ ...cfg, waterfall }, { seed: 1 })).toThrow(
      /who paid does not add up: the shortfalls were [\d.e+]+ USD, the who-paid columns and unpaid book [\d.e+]+ USD/,
    );
  });

  it('list shows what each built-in stage contributes', () => {
    const j = JSON.parse(cli(['list', '--format', 'json']).stdout);
    const of = (n: string) => j.stages.find((s: { name: string }) => s.name === n).metrics;
    expect(of('dutch-auction')).toEqual(['auctions', 'zero_bid_auctions', 'zero_bid_value']);
    expect(of('adl')).toEqual(['adl_events', 'adl_notional', 'adl_overshoot']);
    expect(of('vault')).toEqual(['vault_return', 'vault_max_drawdown']);
    expect(of('market')).toEqual([]);
    expect(cli(['list']).stdout).toMatch(
      / {2}adl \[both\] → paid_by_adl — .*\n {4}metrics: adl_events, adl_notional, adl_overshoot\n/,
    );
  });
});

describe('services a stage provides to agents (typed tokens)', () => {
  it('a plug-in stage provides its own service; a plug-in strategy finds it by the token, not by a slot', () => {
    const QUOTE = serviceToken<{ quote(): number }>('test-quote');
    registerStage(
      defineStage({
        name: 'test-quoter',
        description: 'provides a quote service and passes every account on',
        role: 'close',
        params: z.strictObject({}),
        build: ({ sim, provide }) => {
          provide(QUOTE, { quote: () => 42 });
          return new Counter(sim, -1);
        },
      }),
    );
    const seen: (number | undefined)[] = [];
    registerStrategy(
      defineStrategy({
        name: 'test-quote-reader',
        role: 'liquidators',
        description: 'reads the quote service at the start',
        params: z.strictObject({}),
        init(_g, sim) {
          seen.push(keepers(sim).service(QUOTE)?.quote());
        },
        act() {},
      }),
    );
    const cfg = crashConfig(50, 20);
    const agents = {
      ...cfg.agents,
      liquidators: { count: 1, mix: [{ strategy: 'test-quote-reader', fraction: 1 }] },
    };
    simulate(
      { ...cfg, agents, waterfall: { stages: [{ stage: 'test-quoter' }, { stage: 'market' }] } },
      { seed: 1 },
    );
    // without the stage the service is not there
    simulate({ ...cfg, agents }, { seed: 1 });
    expect(seen).toEqual([42, undefined]);
  });

  it('a second provider of a service only one may provide fails when the run is built, naming the stage', () => {
    registerStage(
      defineStage({
        name: 'test-fake-vault',
        description: 'claims to be the vault',
        role: 'close',
        params: z.strictObject({}),
        build: ({ sim, provide }) => {
          provide(VAULT_SERVICE, {} as never);
          return new Counter(sim, -1);
        },
      }),
    );
    const stages = [{ stage: 'test-fake-vault' }, { stage: 'vault' }, { stage: 'market' }];
    expect(() => simulate({ ...crashConfig(50, 20), waterfall: { stages } }, { seed: 1 })).toThrow(
      "stages 'test-fake-vault' and 'vault' both provide service vault, which only one stage listed may provide: list one of them",
    );
  });
});
