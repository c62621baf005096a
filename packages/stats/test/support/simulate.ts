// Seeded samplers for the Monte-Carlo tests: the same seed gives the same run on every machine, so a test that
// passes once passes always, and its tolerance bands are still honest binomial bands around the nominal rate.
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

export interface Random {
  uniform(): number;
  /** Conversions among n units converting independently with probability p (a sum of Bernoulli draws). */
  binomial(n: number, p: number): number;
  /** A N(mean, sd²) draw (Box–Muller). */
  normal(mean: number, sd: number): number;
}

export function seeded(seed: number): Random {
  const rng = xoroshiro128plus(seed);
  const uniform = () => uniformFloat64(rng);
  let spare: number | undefined;
  return {
    uniform,
    binomial(n, p) {
      let count = 0;
      for (let i = 0; i < n; i++) if (uniform() < p) count++;
      return count;
    },
    normal(mean, sd) {
      if (spare !== undefined) {
        const value = spare;
        spare = undefined;
        return mean + sd * value;
      }
      const radius = Math.sqrt(-2 * Math.log(1 - uniform()));
      const angle = 2 * Math.PI * uniform();
      spare = radius * Math.sin(angle);
      return mean + sd * radius * Math.cos(angle);
    },
  };
}

/** A running summary of normal draws, as the service keeps it: n, Σy, Σy². */
export class RunningMean {
  n = 0;
  private sum = 0;
  private squares = 0;

  add(value: number): void {
    this.n++;
    this.sum += value;
    this.squares += value * value;
  }

  sample(): { n: number; mean: number; sd: number } {
    const mean = this.sum / this.n;
    return { n: this.n, mean, sd: Math.sqrt(Math.max(0, (this.squares - this.n * mean * mean) / (this.n - 1))) };
  }
}

/** Half-width of a 4-sigma binomial band for a rate p estimated from `runs` runs. */
export function band(p: number, runs: number): number {
  return 4 * Math.sqrt((p * (1 - p)) / runs);
}

export function covers(ci: readonly [number, number], value: number): boolean {
  return ci[0] <= value && value <= ci[1];
}
