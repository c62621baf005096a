// Monte-Carlo checks of the claims docs/experiments.md makes: intervals cover at their nominal rate, A/A tests
// reject at rate α, peeking breaks the fixed-horizon test but not the sequential one, and the power formula
// predicts the simulated power. Seeded, so deterministic; each block is sized to run in about a second.
// STATS_REPORT=1 prints the measured rates (the numbers quoted in the docs).
import { describe, expect, it } from 'vitest';
import { meanTest, power, proportionTest, sampleSize, sequentialMeanTest, sequentialProportionTest } from '../src/index';
import { band, covers, RunningMean, seeded } from './support/simulate';

function report(label: string, value: number): void {
  if (process.env.STATS_REPORT) console.info(`${label}: ${value.toFixed(4)}`);
}

describe('fixed-horizon tests', () => {
  it('proportionTest: 95 % intervals on the absolute and relative lift cover the true lift ~95 % of the time', () => {
    const random = seeded(11);
    const runs = 2000;
    const [pc, pt, n] = [0.1, 0.12, 2000];
    let absolute = 0;
    let relative = 0;
    for (let run = 0; run < runs; run++) {
      const result = proportionTest({ n, conversions: random.binomial(n, pc) }, { n, conversions: random.binomial(n, pt) });
      if (covers(result.lift.absolute.ci, pt - pc)) absolute++;
      if (covers(result.lift.relative.ci, pt / pc - 1)) relative++;
    }
    report('proportion absolute coverage', absolute / runs);
    report('proportion relative coverage', relative / runs);
    expect(Math.abs(absolute / runs - 0.95)).toBeLessThanOrEqual(band(0.95, runs));
    expect(Math.abs(relative / runs - 0.95)).toBeLessThanOrEqual(band(0.95, runs));
  });

  it('meanTest: 95 % Welch intervals cover the true difference ~95 % of the time, unequal variances and sizes', () => {
    const random = seeded(12);
    const runs = 2000;
    let covered = 0;
    for (let run = 0; run < runs; run++) {
      const control = new RunningMean();
      const treatment = new RunningMean();
      for (let i = 0; i < 60; i++) control.add(random.normal(10, 2));
      for (let i = 0; i < 25; i++) treatment.add(random.normal(11, 5));
      if (covers(meanTest(control.sample(), treatment.sample()).lift.absolute.ci, 1)) covered++;
    }
    report('welch coverage', covered / runs);
    expect(Math.abs(covered / runs - 0.95)).toBeLessThanOrEqual(band(0.95, runs));
  });

  it('A/A: both tests reject a true null at rate ≈ α', () => {
    const random = seeded(13);
    const runs = 4000;
    let proportions = 0;
    let means = 0;
    for (let run = 0; run < runs; run++) {
      if (proportionTest({ n: 1000, conversions: random.binomial(1000, 0.05) }, { n: 1000, conversions: random.binomial(1000, 0.05) }).significant) proportions++;
      const control = new RunningMean();
      const treatment = new RunningMean();
      for (let i = 0; i < 30; i++) control.add(random.normal(5, 3));
      for (let i = 0; i < 30; i++) treatment.add(random.normal(5, 3));
      if (meanTest(control.sample(), treatment.sample()).significant) means++;
    }
    report('a/a false-positive rate, proportions', proportions / runs);
    report('a/a false-positive rate, means', means / runs);
    expect(Math.abs(proportions / runs - 0.05)).toBeLessThanOrEqual(band(0.05, runs));
    expect(Math.abs(means / runs - 0.05)).toBeLessThanOrEqual(band(0.05, runs));
  });

  it('power() agrees with the simulated power of proportionTest, at the n sampleSize() recommends and below it', () => {
    const random = seeded(14);
    const design = { baseline: 0.3, mde: 0.1 } as const;
    const recommended = sampleSize(design).perVariant;
    for (const n of [recommended, Math.round(recommended / 2)]) {
      const runs = 1500;
      let detected = 0;
      for (let run = 0; run < runs; run++) {
        const result = proportionTest({ n, conversions: random.binomial(n, 0.3) }, { n, conversions: random.binomial(n, 0.33) });
        if (result.significant && result.lift.absolute.estimate > 0) detected++;
      }
      const predicted = power({ ...design, n });
      report(`power at n=${n}: predicted ${predicted.toFixed(4)}, simulated`, detected / runs);
      expect(Math.abs(detected / runs - predicted)).toBeLessThanOrEqual(band(predicted, runs) + 0.01);
    }
  });
});

describe('continuous peeking (a look after every batch)', () => {
  const looks = 50;

  it('proportions: the sequential test keeps ≥ 95 % coverage over all looks, the fixed-horizon test does not', () => {
    const random = seeded(21);
    const runs = 1000;
    const [pc, pt, batch] = [0.1, 0.11, 200];
    let fixedHeld = 0;
    let sequentialHeld = 0;
    let fixedFalseStops = 0;
    let sequentialFalseStops = 0;
    for (let run = 0; run < runs; run++) {
      let [n, cc, ct] = [0, 0, 0];
      let fixedOk = true;
      let sequentialOk = true;
      for (let look = 0; look < looks; look++) {
        n += batch;
        cc += random.binomial(batch, pc);
        ct += random.binomial(batch, pt);
        const control = { n, conversions: cc };
        const treatment = { n, conversions: ct };
        if (fixedOk && !covers(proportionTest(control, treatment).lift.absolute.ci, pt - pc)) fixedOk = false;
        if (sequentialOk && !covers(sequentialProportionTest(control, treatment, { tuningN: 10_000 }).lift.absolute.ci, pt - pc)) sequentialOk = false;
      }
      if (fixedOk) fixedHeld++;
      if (sequentialOk) sequentialHeld++;
    }
    // The same under the null: how often would a daily-looking team have shipped an A/A "winner"?
    for (let run = 0; run < runs; run++) {
      let [n, cc, ct] = [0, 0, 0];
      let [fixedStopped, sequentialStopped] = [false, false];
      for (let look = 0; look < looks; look++) {
        n += batch;
        cc += random.binomial(batch, pc);
        ct += random.binomial(batch, pc);
        fixedStopped ||= proportionTest({ n, conversions: cc }, { n, conversions: ct }).significant;
        sequentialStopped ||= sequentialProportionTest({ n, conversions: cc }, { n, conversions: ct }, { tuningN: 10_000 }).significant;
      }
      if (fixedStopped) fixedFalseStops++;
      if (sequentialStopped) sequentialFalseStops++;
    }
    report('peeking coverage, fixed-horizon proportions', fixedHeld / runs);
    report('peeking coverage, sequential proportions', sequentialHeld / runs);
    report('peeking a/a false-stop rate, fixed-horizon proportions', fixedFalseStops / runs);
    report('peeking a/a false-stop rate, sequential proportions', sequentialFalseStops / runs);
    expect(sequentialHeld / runs).toBeGreaterThanOrEqual(0.95);
    expect(fixedHeld / runs).toBeLessThan(0.95 - band(0.95, runs));
    expect(fixedFalseStops / runs).toBeGreaterThan(0.05 + band(0.05, runs));
    expect(sequentialFalseStops / runs).toBeLessThanOrEqual(0.05);
  });

  it('means: the sequential test keeps ≥ 95 % coverage over all looks, the fixed-horizon test does not', () => {
    const random = seeded(22);
    const runs = 600;
    const batch = 100;
    let fixedHeld = 0;
    let sequentialHeld = 0;
    for (let run = 0; run < runs; run++) {
      const control = new RunningMean();
      const treatment = new RunningMean();
      let fixedOk = true;
      let sequentialOk = true;
      for (let look = 0; look < looks; look++) {
        for (let i = 0; i < batch; i++) {
          control.add(random.normal(20, 10));
          treatment.add(random.normal(20.5, 12));
        }
        if (fixedOk && !covers(meanTest(control.sample(), treatment.sample()).lift.absolute.ci, 0.5)) fixedOk = false;
        if (sequentialOk && !covers(sequentialMeanTest(control.sample(), treatment.sample()).lift.absolute.ci, 0.5)) sequentialOk = false;
      }
      if (fixedOk) fixedHeld++;
      if (sequentialOk) sequentialHeld++;
    }
    report('peeking coverage, fixed-horizon means', fixedHeld / runs);
    report('peeking coverage, sequential means', sequentialHeld / runs);
    expect(sequentialHeld / runs).toBeGreaterThanOrEqual(0.95);
    expect(fixedHeld / runs).toBeLessThan(0.95 - band(0.95, runs));
  });
});
