/**
 * Conservative static check against catastrophic-backtracking regular expressions (ReDoS).
 *
 * `matches` conditions run flag authors' patterns against user-controlled strings on every request, so a pattern
 * like `(a+)+$` could pin a server CPU for seconds with one crafted user id. JavaScript has no linear-time regex
 * engine, so instead of timing out at runtime we refuse the shapes that cause exponential backtracking:
 *
 * - a repeated group whose body itself contains a repetition: `(a+)+`, `(.*)*`, `(\w+\s?)*`, `((ab)*c)+`;
 * - a repeated group with alternatives that can start with the same character: `(a|a)*`, `(a|ab)+`, `(\w|_)*`
 *   (alternatives must each start with a distinct literal character, e.g. `(ab|cd)+`; write `[\w_]+` instead);
 * - backreferences (`\1`, `\k<name>`), which no linear-time engine supports and which enable exponential work;
 * - more than {@link MAX_UNBOUNDED_WILDCARDS} unbounded repetitions of wildcards (`.`, `\w`, `\d`, `\s` and their
 *   negations, negated classes `[^…]`), e.g. `.*a.*b.*c`: each one multiplies the work on a failing input by its
 *   length (polynomial ReDoS);
 * - patterns longer than {@link MAX_PATTERN_LENGTH}, which are hard to review and to analyse.
 *
 * This rejects some harmless patterns; the error message suggests the rewrite. Quadratic cases such as `\d+\d+x`
 * remain possible, which is why the evaluator also caps the length of strings it tests (see evaluator).
 */

/** Longest pattern accepted; long patterns are hard to review and the analysis below is only as good as it is simple. */
export const MAX_PATTERN_LENGTH = 500;

interface Frame {
  /** Index of the group's "(" in the pattern. */
  open: number;
  /** The body contains a quantifier (`*`, `+`, `?`, `{n,m}`) applied to something inside it. */
  hasRepeat: boolean;
  /** The body contains an unbounded or multi-count repetition (`*`, `+`, `{n,}`, `{n,m}` with m > 1). */
  hasUnboundedRepeat: boolean;
  /** First characters of each top-level alternative: a literal char, or null when unknown/anything. */
  alternativeStarts: (string | null)[];
  /** Whether the current alternative has consumed its first atom yet. */
  altStarted: boolean;
  hasAlternation: boolean;
}

interface Quantifier {
  length: number;
  /** Can repeat more than once (`*`, `+`, `{n,}`, `{n,m}` with m > 1). */
  repeats: boolean;
  /** Has no upper bound (`*`, `+`, `{n,}`). */
  unbounded: boolean;
}

/** Unbounded repetitions of wildcards (`.*`, `\w+`, `[^,]*`) allowed in one pattern; see `checkRegex`. */
export const MAX_UNBOUNDED_WILDCARDS = 2;

function readQuantifier(p: string, i: number): Quantifier | undefined {
  const c = p[i];
  let len = 0;
  let repeats = false;
  let unbounded = false;
  if (c === '*' || c === '+') {
    len = 1;
    repeats = true;
    unbounded = true;
  } else if (c === '?') {
    len = 1;
  } else if (c === '{') {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(p.slice(i, i + 32));
    if (m === null) return undefined;
    len = m[0].length;
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
    repeats = max > 1;
    unbounded = max === Infinity;
  } else return undefined;
  if (p[i + len] === '?') len++; // lazy variants backtrack just the same
  return { length: len, repeats, unbounded };
}

/**
 * Returns why `pattern` is refused, or `undefined` when it compiles and passes the static check.
 * `flags` are the RegExp flags it will be compiled with (`'u'` or `'iu'`).
 */
export function checkRegex(pattern: string, flags: string): string | undefined {
  if (pattern.length > MAX_PATTERN_LENGTH) {
    return `pattern is ${pattern.length} characters; the limit is ${MAX_PATTERN_LENGTH} to keep patterns reviewable and their cost analysable — split it into several "matches" values or use "in"/"startsWith"`;
  }
  try {
    new RegExp(pattern, flags);
  } catch (e) {
    return `not a valid regular expression (${e instanceof Error ? e.message : String(e)}); patterns are compiled with the "u" flag`;
  }
  const stack: Frame[] = [];
  const newFrame = (open: number): Frame => ({
    open,
    hasRepeat: false,
    hasUnboundedRepeat: false,
    alternativeStarts: [],
    altStarted: false,
    hasAlternation: false,
  });
  let top = newFrame(0);
  const ci = flags.includes('i');
  const noteAtomStart = (frame: Frame, literal: string | null): void => {
    if (!frame.altStarted) {
      frame.altStarted = true;
      frame.alternativeStarts.push(literal === null ? null : ci ? literal.toLowerCase() : literal);
    }
  };
  let wildcards = 0;
  let i = 0;
  /** Reads the quantifier after an atom ending at `i`; `wide` atoms match many characters (`.`, `\w`, `[^x]`). */
  const quantify = (wide: boolean): string | undefined => {
    const q = readQuantifier(pattern, i);
    if (q === undefined) return undefined;
    top.hasRepeat = true;
    if (q.repeats) top.hasUnboundedRepeat = true;
    i += q.length;
    if (wide && q.unbounded && ++wildcards > MAX_UNBOUNDED_WILDCARDS) {
      return `more than ${MAX_UNBOUNDED_WILDCARDS} unbounded wildcard repetitions (like ".*a.*b.*c"): each one multiplies the work on a long non-matching input (polynomial ReDoS); anchor the pattern, use literal separators or fewer ".*"`;
    }
    return undefined;
  };
  while (i < pattern.length) {
    const c = pattern[i] as string;
    if (c === '\\') {
      const next = pattern[i + 1] ?? '';
      if (/[1-9]/.test(next) || next === 'k') {
        return 'backreferences (\\1, \\k<name>) are not allowed: they can take exponential time and other Halyard SDKs cannot evaluate them';
      }
      // A literal escaped punctuation char is a known first char; class escapes (\d, \w, \p{..}) are not.
      const literal = /[\^$\\.*+?()[\]{}|/-]/.test(next) ? next : null;
      noteAtomStart(top, literal);
      let len = 2;
      if ((next === 'p' || next === 'P') && pattern[i + 2] === '{') {
        const close = pattern.indexOf('}', i);
        len = close === -1 ? 2 : close - i + 1;
      } else if (next === 'u' && pattern[i + 2] === '{') {
        const close = pattern.indexOf('}', i);
        len = close === -1 ? 2 : close - i + 1;
      } else if (next === 'u') len = 6;
      else if (next === 'x') len = 4;
      else if (next === 'c') len = 3;
      i += len;
      const problem = quantify(/[dDwWsSpP]/.test(next));
      if (problem !== undefined) return problem;
      continue;
    }
    if (c === '[') {
      // Skip the class, honouring escapes; `]` right after `[` or `[^` is a syntax error under "u", so no special case.
      let j = i + 1;
      while (j < pattern.length && pattern[j] !== ']') j += pattern[j] === '\\' ? 2 : 1;
      noteAtomStart(top, null);
      const negated = pattern[i + 1] === '^';
      i = j + 1;
      const problem = quantify(negated);
      if (problem !== undefined) return problem;
      continue;
    }
    if (c === '(') {
      // Groups count as "unknown first char" for the enclosing alternative.
      noteAtomStart(top, null);
      stack.push(top);
      let bodyStart = i + 1;
      if (pattern[i + 1] === '?') {
        if (pattern[i + 2] === '<' && pattern[i + 3] !== '=' && pattern[i + 3] !== '!') {
          bodyStart = pattern.indexOf('>', i) + 1; // named group (?<name>
        } else if (pattern[i + 2] === '<') {
          bodyStart = i + 4; // lookbehind (?<= (?<!
        } else bodyStart = i + 3; // (?: (?= (?!
      }
      top = newFrame(i);
      i = Math.max(bodyStart, i + 1);
      continue;
    }
    if (c === ')') {
      const body = top;
      const parent = stack.pop();
      if (parent === undefined) return 'unbalanced ")"';
      i++;
      const q = readQuantifier(pattern, i);
      if (q !== undefined) {
        i += q.length;
        if (q.repeats) {
          const group = pattern.slice(body.open, i);
          if (body.hasUnboundedRepeat || body.hasRepeat) {
            return `nested quantifier in ${JSON.stringify(group)}: a repeated group that itself contains a repetition can take exponential time on some inputs (ReDoS); remove the inner or the outer repetition, e.g. "(a+)+" → "a+"`;
          }
          if (body.hasAlternation) {
            const starts = body.alternativeStarts;
            const distinct = new Set(starts);
            if (starts.includes(null) || distinct.size !== starts.length || !body.altStarted) {
              return `repeated alternation in ${JSON.stringify(group)} whose alternatives may start with the same character: this can take exponential time on some inputs (ReDoS); use a character class such as "[ab]+" or alternatives that start with different literal characters`;
            }
          }
        }
        parent.hasRepeat = true;
        if (q.repeats) parent.hasUnboundedRepeat = true;
      }
      // Repetition inside a group taints every enclosing group.
      if (body.hasRepeat) parent.hasRepeat = true;
      if (body.hasUnboundedRepeat) parent.hasUnboundedRepeat = true;
      top = parent;
      continue;
    }
    if (c === '|') {
      if (!top.altStarted) top.alternativeStarts.push(null); // empty alternative overlaps everything
      top.hasAlternation = true;
      top.altStarted = false;
      i++;
      continue;
    }
    if (c === '^' || c === '$') {
      i++;
      continue;
    }
    // A plain character or `.`.
    noteAtomStart(top, c === '.' ? null : c);
    // Astral characters take two code units; treat the pair as one atom.
    const cu = c.charCodeAt(0);
    i += cu >= 0xd800 && cu <= 0xdbff ? 2 : 1;
    const problem = quantify(c === '.');
    if (problem !== undefined) return problem;
  }
  return undefined;
}
