/**
 * The public `setPath` (what `analyze` uses to rebuild a sweep point's config) is the experiment's own path
 * setter on a parsed path (issue 19: one implementation): the same paths, the same refusals.
 */
import { describe, expect, it } from 'vitest';
import { setPath } from '../src/index.js';

const config = () => ({
  venue: { takerFee: 0.0005 },
  agents: { traders: { mix: [{ strategy: 'noise', params: { leverage: 3 } }] } },
  waterfall: { stages: [{ stage: 'market' }, { stage: 'vault', lockupSeconds: 0 }] },
});

describe('setPath', () => {
  it('sets dotted, bracketed and by-name paths', () => {
    const c = config();
    setPath(c, 'venue.takerFee', 0.001);
    setPath(c, 'agents.traders.mix[0].params.leverage', 5);
    setPath(c, 'agents.traders.mix.0.strategy', 'hold');
    setPath(c, 'waterfall.stages[vault].lockupSeconds', 60);
    expect(c.venue.takerFee).toBe(0.001);
    expect(c.agents.traders.mix[0]).toEqual({ strategy: 'hold', params: { leverage: 5 } });
    expect(c.waterfall.stages[1]).toEqual({ stage: 'vault', lockupSeconds: 60 });
  });

  it('refuses a malformed or reserved path, a missing list element and a stage not listed, naming the path', () => {
    expect(() => setPath(config(), 'venue..takerFee', 1)).toThrow(/^venue\.\.takerFee: malformed path/);
    expect(() => setPath(config(), '__proto__.polluted', 1)).toThrow(/^__proto__\.polluted: /);
    expect(() => setPath(config(), 'agents.traders.mix[3].strategy', 'x')).toThrow(
      /^agents\.traders\.mix\[3\]\.strategy: .*does not exist in the config/,
    );
    expect(() => setPath(config(), 'waterfall.stages[adl].policy', 'queue')).toThrow(/adl/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
