/**
 * Conservative static check against catastrophic-backtracking regular expressions (ReDoS).
 *
 * `matches` conditions run flag authors' patterns against user-controlled strings on every request, so a pattern
 * like `(a+)+$` could pin a server CPU for minutes with one crafted user id. JavaScript has no linear-time regex
 * engine, and a timeout cannot interrupt `RegExp#test`, so instead we refuse the shapes that backtrack badly:
 *
 * - a repeated group whose body itself contains a repetition: `(a+)+`, `(.*)*`, `(\w+\s?)*`, `((ab)*c)+`
 *   (exponential);
 * - a repeated group with alternatives that can start with the same character: `(a|a)*`, `(a|ab)+`, `(\w|_)*`
 *   (exponential; alternatives must each start with a distinct literal character, e.g. `(ab|cd)+`);
 * - chains of unbounded repetitions that can consume the same characters, e.g. `.*a.*b` or `\d+\d+x`:
 *   each link multiplies the work on a long non-matching input by its length (polynomial). The search itself
 *   adds one factor when the pattern is not anchored with `^`. Degree 3 or more is refused; degree 2
 *   (quadratic) is accepted because the evaluator caps the length of the strings it tests;
 * - backreferences (`\1`, `\k<name>`), which no linear-time engine supports and which enable exponential work;
 * - patterns longer than {@link MAX_PATTERN_LENGTH}, which are hard to review and to analyse.
 *
 * Character overlap is computed by testing each atom against every ASCII character plus a few non-ASCII samples,
 * so `[a-z]+\.[a-z]+` (the dot separates the runs) passes while `.*a.*b` does not. This rejects some harmless
 * patterns; the error messages suggest the rewrite.
 *
 * Patterns are analysed in the mode they compile in (see {@link regexFlags}): Unicode mode (`u`) when they are
 * valid in it, else the classic mode, whose Annex B syntax (`\@`, a literal `a{`, `[\w-.]`) is what many
 * patterns written for JavaScript use.
 */

/** Longest pattern accepted; long patterns are hard to review and the analysis below is only as good as it is simple. */
export const MAX_PATTERN_LENGTH = 500;

/** Highest accepted backtracking degree (see the module comment): 2 means at most quadratic. */
const MAX_DEGREE = 2;

/**
 * Characters an atom is tested against: ASCII, then non-ASCII samples (Latin-1, CJK, astral, and the two halves
 * of a surrogate pair, which is what `.` and classes see of an astral character outside Unicode mode).
 */
const SAMPLES: readonly string[] = [...Array.from({ length: 128 }, (_, c) => String.fromCharCode(c)), 'é', '日', '\u{1F680}', '\uD83D', '\uDE80'];

/** Which of `SAMPLES` an atom can match (1) or not (0). */
type CharSet = Uint8Array;

const ANY: CharSet = new Uint8Array(SAMPLES.length).fill(1);

/** One element of a sequence: an atom or a group, with its quantifier folded in. */
interface Item {
  set: CharSet;
  /** Can match the empty string (`?`, `*`, `{0,n}`). */
  optional: boolean;
  /** Can repeat without bound (`*`, `+`, `{n,}`). */
  unbounded: boolean;
  /** Source text, for messages. */
  source: string;
}

interface Frame {
  /** Index of the group's "(" in the pattern (0 for the top level). */
  open: number;
  /** Lookaround groups are zero-width: they add nothing to the enclosing sequence. */
  lookaround: boolean;
  /** The body contains a quantifier (`*`, `+`, `?`, `{n,m}`) applied to something inside it. */
  hasRepeat: boolean;
  /** First characters of each alternative: a literal char, or null when unknown/anything. */
  alternativeStarts: (string | null)[];
  /** Whether the current alternative has consumed its first atom yet. */
  altStarted: boolean;
  hasAlternation: boolean;
  /** Finished alternatives and the current one. */
  alternatives: Item[][];
  items: Item[];
  /** The current alternative starts with `^`. */
  anchored: boolean;
  anchoredAlternatives: boolean[];
}

interface Quantifier {
  length: number;
  min: number;
  /** Can repeat more than once (`*`, `+`, `{n,}`, `{n,m}` with m > 1). */
  repeats: boolean;
  /** Has no upper bound (`*`, `+`, `{n,}`). */
  unbounded: boolean;
}

function readQuantifier(p: string, i: number): Quantifier | undefined {
  const c = p[i];
  let len = 0;
  let min = 1;
  let max = 1;
  if (c === '*' || c === '+') {
    len = 1;
    min = c === '*' ? 0 : 1;
    max = Infinity;
  } else if (c === '?') {
    len = 1;
    min = 0;
  } else if (c === '{') {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(p.slice(i, i + 32));
    if (m === null) return undefined;
    len = m[0].length;
    min = Number(m[1]);
    max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
  } else return undefined;
  if (p[i + len] === '?') len++; // lazy variants backtrack just the same
  return { length: len, min, repeats: max > 1, unbounded: max === Infinity };
}

function charSetOf(source: string, flags: string, cache: Map<string, CharSet>): CharSet {
  const known = cache.get(source);
  if (known !== undefined) return known;
  let set: CharSet;
  try {
    const re = new RegExp(`^(?:${source})$`, flags);
    set = new Uint8Array(SAMPLES.length);
    for (let i = 0; i < SAMPLES.length; i++) set[i] = re.test(SAMPLES[i] as string) ? 1 : 0;
  } catch {
    set = ANY;
  }
  cache.set(source, set);
  return set;
}

function union(sets: readonly CharSet[]): CharSet {
  const out = new Uint8Array(SAMPLES.length);
  for (const s of sets) for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) | (s[i] as number);
  return out;
}

function intersects(a: CharSet, b: CharSet): boolean {
  for (let i = 0; i < a.length; i++) if ((a[i] as number) & (b[i] as number)) return true;
  return false;
}

function subset(a: CharSet, b: CharSet): boolean {
  for (let i = 0; i < a.length; i++) if ((a[i] as number) & ~(b[i] as number) & 1) return false;
  return true;
}

/**
 * The backtracking degree of one sequence: the longest chain of unbounded items where each can consume what the
 * previous one consumed (their characters overlap and everything mandatory between them is swallowed by the
 * earlier one), plus one when the match may start anywhere. Returns the degree and the chain's sources.
 */
function sequenceDegree(items: readonly Item[], anchored: boolean): { degree: number; chain: string[] } {
  const chains: string[][] = [];
  let best: string[] = [];
  for (let b = 0; b < items.length; b++) {
    const B = items[b] as Item;
    if (!B.unbounded) {
      chains.push([]);
      continue;
    }
    let chain = [B.source];
    for (let a = b - 1; a >= 0; a--) {
      const A = items[a] as Item;
      if (!A.unbounded || !intersects(A.set, B.set)) continue;
      let swallowed = true;
      for (let k = a + 1; k < b && swallowed; k++) {
        const between = items[k] as Item;
        if (!between.optional && !subset(between.set, A.set)) swallowed = false;
      }
      const prev = chains[a] as string[];
      if (swallowed && prev.length + 1 > chain.length) chain = [...prev, B.source];
    }
    chains.push(chain);
    if (chain.length > best.length) best = chain;
  }
  return { degree: best.length + (anchored || best.length === 0 ? 0 : 1), chain: best };
}

/**
 * The RegExp flags a `matches` pattern compiles with: `u` when the pattern is valid in Unicode mode — always so
 * for a pattern valid in both modes, which keeps their meaning (`.` matches an astral character, `\p{L}` works) —
 * otherwise none, so JavaScript patterns that are only valid without `u` (`\@example\.com`, `a{`, `[\w-.]+@x`)
 * are accepted; plus `i` when matching case-insensitively.
 *
 * @example
 * regexFlags('^\\p{Lu}', false); // 'u'
 * regexFlags('\\@example\\.com$', true); // 'i'
 */
export function regexFlags(pattern: string, caseInsensitive: boolean): string {
  let unicode = true;
  try {
    new RegExp(pattern, 'u');
  } catch {
    unicode = false;
  }
  return caseInsensitive ? (unicode ? 'iu' : 'i') : unicode ? 'u' : '';
}

/**
 * Returns why `pattern` is refused, or `undefined` when it compiles and passes the static check.
 * `flags` are the RegExp flags it will be compiled with (from {@link regexFlags}: `'u'`, `'iu'`, `''` or `'i'`).
 */
export function checkRegex(pattern: string, flags: string): string | undefined {
  if (pattern.length > MAX_PATTERN_LENGTH) {
    return `pattern is ${pattern.length} characters; the limit is ${MAX_PATTERN_LENGTH} to keep patterns reviewable and their cost analysable — split it into several "matches" values or use "in"/"startsWith"`;
  }
  try {
    new RegExp(pattern, flags);
  } catch (e) {
    return `not a valid regular expression (${e instanceof Error ? e.message : String(e)}); patterns use JavaScript syntax, with or without the "u" flag`;
  }
  const ci = flags.includes('i');
  const unicode = flags.includes('u');
  const cache = new Map<string, CharSet>();
  const newFrame = (open: number, lookaround: boolean): Frame => ({
    open,
    lookaround,
    hasRepeat: false,
    alternativeStarts: [],
    altStarted: false,
    hasAlternation: false,
    alternatives: [],
    items: [],
    anchored: false,
    anchoredAlternatives: [],
  });
  const stack: Frame[] = [];
  let top = newFrame(0, false);
  const noteAtomStart = (frame: Frame, literal: string | null): void => {
    if (!frame.altStarted) {
      frame.altStarted = true;
      frame.alternativeStarts.push(literal === null ? null : ci ? literal.toLowerCase() : literal);
    }
  };
  const endAlternative = (frame: Frame): void => {
    frame.alternatives.push(frame.items);
    frame.anchoredAlternatives.push(frame.anchored);
    frame.items = [];
    frame.anchored = false;
  };
  /** Checks every alternative of a finished frame for polynomial chains. */
  const degreeProblem = (frame: Frame, topLevel: boolean): string | undefined => {
    for (let a = 0; a < frame.alternatives.length; a++) {
      // Only the top level knows whether the search may start anywhere; inside groups assume it is anchored
      // (the enclosing sequence is analysed separately), except in lookarounds, which run at every position.
      const anchored = topLevel ? (frame.anchoredAlternatives[a] as boolean) : !frame.lookaround;
      const { degree, chain } = sequenceDegree(frame.alternatives[a] as Item[], anchored);
      if (degree > MAX_DEGREE) {
        const start = anchored ? '' : ' (plus the search for a start position, as the pattern is not anchored with "^")';
        return `the repetitions ${chain.map((s) => JSON.stringify(s)).join(', ')} can consume the same characters${start}, so a long non-matching input takes time growing like its length to the power ${degree} (ReDoS); anchor the pattern, separate the repetitions by characters they cannot match, or drop redundant ".*" (an unanchored pattern already matches anywhere)`;
      }
    }
    return undefined;
  };

  let i = 0;
  /** Reads the quantifier after an atom and pushes the resulting item onto the current sequence. */
  const addAtom = (source: string, literal: string | null): void => {
    noteAtomStart(top, literal);
    const q = readQuantifier(pattern, i);
    if (q !== undefined) {
      top.hasRepeat = true;
      i += q.length;
    }
    top.items.push({ set: charSetOf(source, flags, cache), optional: q !== undefined && q.min === 0, unbounded: q?.unbounded === true, source: pattern.slice(i - (q?.length ?? 0) - source.length, i) });
  };

  while (i < pattern.length) {
    const c = pattern[i] as string;
    if (c === '\\') {
      const next = pattern[i + 1] ?? '';
      if (/[1-9]/.test(next) || next === 'k') {
        return 'backreferences (\\1, \\k<name>) are not allowed: they can take exponential time and other Halyard SDKs cannot evaluate them';
      }
      let len = 2;
      // Outside Unicode mode `\p{L}` is "p{L}" and `\u`, `\x`, `\c` without their digits are literal letters.
      if ((next === 'p' || next === 'P' || next === 'u') && pattern[i + 2] === '{' && unicode) {
        const close = pattern.indexOf('}', i);
        len = close === -1 ? 2 : close - i + 1;
      } else if (next === 'u') len = unicode || /^[0-9a-fA-F]{4}$/.test(pattern.slice(i + 2, i + 6)) ? 6 : 2;
      else if (next === 'x') len = unicode || /^[0-9a-fA-F]{2}$/.test(pattern.slice(i + 2, i + 4)) ? 4 : 2;
      else if (next === 'c') len = unicode || /^[A-Za-z]$/.test(pattern[i + 2] ?? '') ? 3 : 1;
      const source = pattern.slice(i, i + len);
      i += len;
      if (next === 'b' || next === 'B') continue; // word boundaries are zero-width
      // An escaped punctuation char (`\.`, `\@`) is a known first char; class escapes (\d, \w, \p{..}) are not.
      addAtom(source, len === 2 && !/[0-9A-Za-z]/.test(next) ? next : null);
      continue;
    }
    if (c === '[') {
      // Skip the class, honouring escapes; under "u" a class cannot start with an unescaped "]".
      let j = i + 1;
      while (j < pattern.length && pattern[j] !== ']') j += pattern[j] === '\\' ? 2 : 1;
      const source = pattern.slice(i, j + 1);
      i = j + 1;
      addAtom(source, null);
      continue;
    }
    if (c === '(') {
      // Groups count as "unknown first char" for the enclosing alternative.
      noteAtomStart(top, null);
      stack.push(top);
      let bodyStart = i + 1;
      let lookaround = false;
      if (pattern[i + 1] === '?') {
        if (pattern[i + 2] === '<' && pattern[i + 3] !== '=' && pattern[i + 3] !== '!') {
          bodyStart = pattern.indexOf('>', i) + 1; // named group (?<name>
        } else if (pattern[i + 2] === '<') {
          bodyStart = i + 4; // lookbehind (?<= (?<!
          lookaround = true;
        } else {
          bodyStart = i + 3; // (?: (?= (?!
          lookaround = pattern[i + 2] === '=' || pattern[i + 2] === '!';
        }
      }
      top = newFrame(i, lookaround);
      i = Math.max(bodyStart, i + 1);
      continue;
    }
    if (c === ')') {
      const body = top;
      const parent = stack.pop();
      if (parent === undefined) return 'unbalanced ")"';
      if (!body.altStarted && body.hasAlternation) body.alternativeStarts.push(null); // empty last alternative
      endAlternative(body);
      i++;
      const q = readQuantifier(pattern, i);
      if (q !== undefined) i += q.length;
      const group = pattern.slice(body.open, i);
      if (q !== undefined && q.repeats) {
        if (body.hasRepeat) {
          return `nested quantifier in ${JSON.stringify(group)}: a repeated group that itself contains a repetition can take exponential time on some inputs (ReDoS); remove the inner or the outer repetition, e.g. "(a+)+" → "a+"`;
        }
        if (body.hasAlternation) {
          const starts = body.alternativeStarts;
          if (starts.includes(null) || new Set(starts).size !== starts.length) {
            return `repeated alternation in ${JSON.stringify(group)} whose alternatives may start with the same character: this can take exponential time on some inputs (ReDoS); use a character class such as "[ab]+" or alternatives that start with different literal characters`;
          }
        }
      }
      const problem = degreeProblem(body, false);
      if (problem !== undefined) return problem;
      // Repetition inside a group taints every enclosing group.
      if (body.hasRepeat || q !== undefined) parent.hasRepeat = true;
      top = parent;
      if (body.lookaround) continue; // zero-width: contributes nothing to the enclosing sequence
      const onlyAlternative = body.alternatives.length === 1 ? (body.alternatives[0] as Item[]) : undefined;
      if (onlyAlternative !== undefined && (q === undefined || (!q.repeats && q.min <= 1))) {
        // A group that is not repeated is just its items in sequence (all optional under "?").
        for (const item of onlyAlternative) parent.items.push(q !== undefined && q.min === 0 ? { ...item, optional: true } : item);
        continue;
      }
      const items = body.alternatives.flat();
      parent.items.push({
        set: items.length === 0 ? new Uint8Array(SAMPLES.length) : union(items.map((it) => it.set)),
        optional: (q !== undefined && q.min === 0) || body.alternatives.some((alt) => alt.every((it) => it.optional)),
        unbounded: q?.unbounded === true || items.some((it) => it.unbounded),
        source: group,
      });
      continue;
    }
    if (c === '|') {
      if (!top.altStarted) top.alternativeStarts.push(null); // empty alternative overlaps everything
      top.hasAlternation = true;
      top.altStarted = false;
      endAlternative(top);
      i++;
      continue;
    }
    if (c === '^') {
      if (top.items.length === 0) top.anchored = true;
      i++;
      continue;
    }
    if (c === '$') {
      i++;
      continue;
    }
    // A plain character or `.`; in Unicode mode an astral character is one atom of two code units, outside it
    // each half is an atom (a quantifier after it repeats only the second half).
    const cu = c.charCodeAt(0);
    const len = unicode && cu >= 0xd800 && cu <= 0xdbff ? 2 : 1;
    const source = pattern.slice(i, i + len);
    i += len;
    addAtom(source, c === '.' ? null : source);
  }
  endAlternative(top);
  return degreeProblem(top, true);
}
