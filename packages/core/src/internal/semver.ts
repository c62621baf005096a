/**
 * Semantic versions as people write them, ordered by Semantic Versioning 2.0.0 precedence
 * (https://semver.org/#spec-item-11).
 *
 * Accepted: one to three numeric parts, missing parts being 0 (`2` = `2.0` = `2.0.0`), an optional leading `v`
 * (`v1.2.3`), then the spec's optional prerelease and build metadata (`v1.2-beta.1+build.5`). Everything else
 * the spec forbids stays forbidden (leading zeros, empty identifiers, whitespace), so "is this a version?" has one
 * answer. Build metadata is accepted and ignored for precedence, as the spec requires.
 */

/** A parsed version. Prerelease identifiers are numbers (numeric identifiers) or strings. */
export interface SemVer {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  readonly prerelease: readonly (string | number)[];
}

// The official regular expression from semver.org (numbered capture groups variant), with an optional "v" and
// the minor and patch parts optional.
const SEMVER_RE =
  /^v?(0|[1-9]\d*)(?:\.(0|[1-9]\d*))?(?:\.(0|[1-9]\d*))?(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

/** Longest string we try to parse; real versions are far shorter and this bounds the regex work. */
const MAX_SEMVER_LENGTH = 256;

/**
 * Parses a version (see the module comment: `1.2.3-beta.1`, `v2`, `2.0`); `undefined` when it is not one.
 *
 * @example
 * compareSemver(parseSemver('v2')!, parseSemver('2.0.0')!); // 0
 */
export function parseSemver(input: string): SemVer | undefined {
  // One-entry memo: evaluating every flag for one context (evaluateAll) parses the same attribute once per
  // semver condition, e.g. 50 times per request for 50 flags gated on `appVersion`. Results are never mutated.
  if (input === lastInput) return lastParsed;
  const parsed = parse(input);
  lastInput = input;
  lastParsed = parsed;
  return parsed;
}

let lastInput: string | undefined;
let lastParsed: SemVer | undefined;

function parse(input: string): SemVer | undefined {
  if (input.length > MAX_SEMVER_LENGTH) return undefined;
  const m = SEMVER_RE.exec(input);
  if (m === null) return undefined;
  const major = Number(m[1]);
  const minor = m[2] === undefined ? 0 : Number(m[2]);
  const patch = m[3] === undefined ? 0 : Number(m[3]);
  // Numeric parts beyond 2^53 would compare wrongly as doubles; such versions are rejected rather than misordered.
  if (!Number.isSafeInteger(major) || !Number.isSafeInteger(minor) || !Number.isSafeInteger(patch)) return undefined;
  const pre = m[4];
  const prerelease: (string | number)[] = [];
  if (pre !== undefined) {
    for (const id of pre.split('.')) {
      if (/^\d+$/.test(id)) {
        const n = Number(id);
        if (!Number.isSafeInteger(n)) return undefined;
        prerelease.push(n);
      } else prerelease.push(id);
    }
  }
  return { major, minor, patch, prerelease };
}

/** Precedence comparison: negative when a < b, 0 when equal (build metadata ignored), positive when a > b. */
export function compareSemver(a: SemVer, b: SemVer): number {
  if (a.major !== b.major) return a.major < b.major ? -1 : 1;
  if (a.minor !== b.minor) return a.minor < b.minor ? -1 : 1;
  if (a.patch !== b.patch) return a.patch < b.patch ? -1 : 1;
  const pa = a.prerelease;
  const pb = b.prerelease;
  // A version without prerelease has higher precedence than one with.
  if (pa.length === 0 || pb.length === 0) return pa.length === pb.length ? 0 : pa.length === 0 ? 1 : -1;
  const n = Math.min(pa.length, pb.length);
  for (let i = 0; i < n; i++) {
    const x = pa[i] as string | number;
    const y = pb[i] as string | number;
    if (x === y) continue;
    const xNum = typeof x === 'number';
    const yNum = typeof y === 'number';
    // Numeric identifiers always have lower precedence than alphanumeric ones.
    if (xNum && !yNum) return -1;
    if (!xNum && yNum) return 1;
    // Alphanumeric identifiers compare in ASCII order (the regex admits only ASCII).
    return x < y ? -1 : 1;
  }
  return pa.length === pb.length ? 0 : pa.length < pb.length ? -1 : 1;
}
