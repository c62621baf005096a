import { describe, expect, it } from 'vitest';
import { runRolloutDemo } from '../../../scripts/demo-rollout/index';

// `pnpm demo:rollout` end to end: real service (PGlite), real SDK streaming and sending events, real stepper.
describe('pnpm demo:rollout', () => {
  it('rolls the healthy path out, rolls the failing one back at its first guarded step, and ends with the summary lines', async () => {
    const printed: string[] = [];
    const result = await runRolloutDemo({ log: (line) => printed.push(line) });
    expect(printed.slice(-result.lines.length)).toEqual(result.lines);
    expect(result.lines[0]).toMatch(/^healthy: reached 100% in \d+ steps$/);
    expect(result.lines[1]).toMatch(/^failing: rolled back at \d+(\.\d+)?% after \d+ exposures; SDK served off within \d+ ms$/);
    expect(result.healthy.steps).toBe(4);
    // The first guarded step (10 %), after at least the minimum sample of 200 outcomes.
    expect(result.failing.percentage).toBe(10);
    expect(result.failing.exposures).toBeGreaterThanOrEqual(200);
    // The functional bound: from the rollback decision to the connected SDK serving off.
    expect(result.failing.servedOffWithinMs).toBeLessThan(1000);
    if (result.breaker) {
      expect(result.lines[2]).toMatch(/^breaker: killed after \d+ errors; SDK served off within \d+ ms$/);
      expect(result.breaker.servedOffWithinMs).toBeLessThan(1000);
    }
  }, 120_000);
});
