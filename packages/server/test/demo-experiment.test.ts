import { describe, expect, it } from 'vitest';
import { runExperimentDemo } from '../../../scripts/demo-experiment/index';

// `pnpm demo:experiment` end to end: real service (PGlite), real SDK exposures and `track` metrics, real results API.
describe('pnpm demo:experiment', () => {
  it('detects the +10 % lift, finds nothing in the A/A test, flags the broken split, and ends with the three lines', async () => {
    const printed: string[] = [];
    const result = await runExperimentDemo({ log: (line) => printed.push(line) });
    expect(printed.slice(-3)).toEqual(result.lines);
    const number = String.raw`\d+(?:\.\d+)?(?:e-\d+)?`;
    const lift = (name: string) => new RegExp(String.raw`^${name}: treatment vs control lift [+-]\d+\.\d% \(95% CI \[-?\d+\.\d%, -?\d+\.\d%\]\), p=${number}$`);
    expect(result.lines[0]).toMatch(lift('effect'));
    expect(result.lines[1]).toMatch(lift('a/a'));
    expect(result.lines[2]).toMatch(new RegExp(String.raw`^srm: (not )?flagged \(p=${number}\)$`));
    expect(result.effect.pValue).toBeLessThan(0.05);
    expect(result.effect.lift.ci[0]).toBeGreaterThan(0);
    expect(result.aa.lift.ci[0]).toBeLessThan(0);
    expect(result.aa.lift.ci[1]).toBeGreaterThan(0);
    expect(result.srm.srm.flagged).toBe(true);
    expect(result.lines[2]).toMatch(/^srm: flagged/);
    // The healthy splits are not flagged.
    expect(result.effect.srm.flagged).toBe(false);
    expect(result.aa.srm.flagged).toBe(false);
  }, 180_000);
});
