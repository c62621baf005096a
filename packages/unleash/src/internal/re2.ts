/**
 * Translation of Unleash REGEX constraint patterns (RE2 syntax, as every Unleash SDK evaluates them) into the
 * JavaScript patterns Halyard's `matches` operator compiles with the `u` flag.
 *
 * Only a boolean "does it match anywhere" is needed, so capture groups, names and greediness are irrelevant. What
 * must be preserved is which strings match:
 * - RE2-only syntax is rewritten: POSIX classes (`[[:alpha:]]`), inline flags (`(?i)`, `(?m)`, `(?s)`, `(?i:…)`),
 *   `\Q…\E`, `\A`, `\z`, `\x{…}`, `\pN`, octal escapes, literal `{`/`}`/`]`.
 * - Constructs whose meaning differs are made explicit: RE2's `.` never matches `\n` only (JS also skips `\r`,
 *   U+2028, U+2029), RE2's `\s` is `[\t\n\f\r ]`, and multi-line `^`/`$` only know `\n`.
 * - Syntax RE2 rejects (lookaround, backreferences, possessive quantifiers, unknown escapes) makes the pattern
 *   invalid, which Unleash evaluates as "no match" — so that is a faithful result, not an approximation.
 */

export type Re2Translation =
  /** A JavaScript pattern matching exactly the strings the RE2 pattern matches. */
  | { kind: 'ok'; pattern: string; caseInsensitive: boolean }
  /** RE2 rejects the pattern: Unleash evaluates the constraint as not matching. */
  | { kind: 'invalid'; reason: string }
  /** Valid RE2 that has no exact JavaScript equivalent here. */
  | { kind: 'unsupported'; reason: string };

interface Flags {
  i: boolean;
  m: boolean;
  s: boolean;
}

/** One emitted piece; `caseSensitive` pieces need the case-insensitivity state they were written under. */
interface Piece {
  /** JavaScript source when matched under the uniform case mode. */
  text: string;
  /** Case-insensitivity in effect when the piece was written; undefined when case cannot affect it. */
  ci?: boolean;
  /** For single literal characters: the character, so it can be expanded to `[xX]`. */
  literal?: string;
}

const POSIX_CLASSES: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`\\{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

/** RE2's `\s`. */
const RE2_SPACE = '\\t\\n\\f\\r ';

// Characters that must be escaped to stand for themselves in a JavaScript `u` pattern, outside and inside classes.
const JS_SYNTAX = new Set('^$\\.*+?()[]{}|/'.split(''));
const JS_CLASS_SYNTAX = new Set('\\]-[^'.split(''));

const UNICODE_CATEGORIES = new Set(
  'C Cc Cf Co Cs L Ll Lm Lo Lt Lu M Mc Me Mn N Nd Nl No P Pc Pd Pe Pf Pi Po Ps S Sc Sk Sm So Z Zl Zp Zs'.split(' '),
);

function escapeLiteral(ch: string): string {
  return JS_SYNTAX.has(ch) ? `\\${ch}` : ch;
}

function escapeClassLiteral(ch: string): string {
  return JS_CLASS_SYNTAX.has(ch) ? `\\${ch}` : ch;
}

function codePointEscape(cp: number): string {
  return `\\u{${cp.toString(16)}}`;
}

class Invalid extends Error {}
class Unsupported extends Error {}

/** `\p{…}` translation; RE2 names are general categories or scripts. */
function unicodeProperty(name: string, negated: boolean): string {
  let neg = negated;
  let n = name;
  if (n.startsWith('^')) {
    neg = !neg;
    n = n.slice(1);
  }
  if (n === 'Any') return neg ? '[^\\s\\S]' : '[\\s\\S]';
  if (!/^[A-Za-z_]+$/.test(n)) throw new Invalid(`unknown Unicode class \\p{${name}}`);
  const body = UNICODE_CATEGORIES.has(n) ? n : `Script=${n}`;
  return `\\${neg ? 'P' : 'p'}{${body}}`;
}

/**
 * Reads an escape at `p[i] === '\\'` that denotes one character (not a class). Returns the code point and the
 * index after it, or undefined when the escape is not a single-character escape.
 */
function readCharEscape(p: string, i: number): { cp: number; end: number } | undefined {
  const c = p[i + 1];
  if (c === undefined) throw new Invalid('trailing backslash');
  const simple: Record<string, number> = { a: 7, f: 12, t: 9, n: 10, r: 13, v: 11 };
  if (simple[c] !== undefined) return { cp: simple[c] as number, end: i + 2 };
  if (c === 'x') {
    if (p[i + 2] === '{') {
      const close = p.indexOf('}', i + 3);
      const hex = close === -1 ? '' : p.slice(i + 3, close);
      if (!/^[0-9A-Fa-f]{1,6}$/.test(hex)) throw new Invalid('bad \\x{…} escape');
      const cp = parseInt(hex, 16);
      if (cp > 0x10ffff) throw new Invalid('bad \\x{…} escape');
      return { cp, end: close + 1 };
    }
    const hex = p.slice(i + 2, i + 4);
    if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw new Invalid('bad \\x escape');
    return { cp: parseInt(hex, 16), end: i + 4 };
  }
  if (c >= '0' && c <= '7') {
    // RE2: \1–\9 are backreferences (unsupported); octal codes must start with 0... or be \0.
    if (c !== '0') throw new Invalid('backreferences are not supported by RE2');
    const m = /^[0-7]{1,3}/.exec(p.slice(i + 1, i + 4)) as RegExpExecArray;
    return { cp: parseInt(m[0], 8), end: i + 1 + m[0].length };
  }
  if (c === '8' || c === '9') throw new Invalid('backreferences are not supported by RE2');
  if (/[A-Za-z0-9]/.test(c)) return undefined;
  // Escaped punctuation stands for itself.
  const cp = c.codePointAt(0) as number;
  return { cp, end: i + 1 + String.fromCodePoint(cp).length };
}

/** Parses a bracket class starting at `p[i] === '['`; returns its JS source and whether letters may occur. */
function readClass(p: string, start: number): { text: string; end: number } {
  let i = start + 1;
  let negated = false;
  if (p[i] === '^') {
    negated = true;
    i++;
  }
  let body = '';
  let items = 0;
  let negatedPosix: string | undefined;
  let first = true;
  while (true) {
    const c = p[i];
    if (c === undefined) throw new Invalid('missing closing ]');
    if (c === ']' && !first) {
      i++;
      break;
    }
    first = false;
    // POSIX class.
    if (c === '[' && p[i + 1] === ':') {
      const close = p.indexOf(':]', i + 2);
      if (close !== -1) {
        let name = p.slice(i + 2, close);
        let neg = false;
        if (name.startsWith('^')) {
          neg = true;
          name = name.slice(1);
        }
        const set = POSIX_CLASSES[name];
        if (set === undefined) throw new Invalid(`unknown POSIX class [:${name}:]`);
        if (neg) negatedPosix = set;
        else body += set;
        items++;
        i = close + 2;
        continue;
      }
    }
    let cp: number;
    if (c === '\\') {
      const next = p[i + 1];
      if (next === 'd' || next === 'D' || next === 'w' || next === 'W') {
        body += `\\${next}`;
        items++;
        i += 2;
        continue;
      }
      if (next === 's') {
        body += RE2_SPACE;
        items++;
        i += 2;
        continue;
      }
      if (next === 'S') {
        throw new Unsupported('\\S inside a character class');
      }
      if (next === 'p' || next === 'P') {
        const { text, end } = readProperty(p, i);
        body += text;
        items++;
        i = end;
        continue;
      }
      const esc = readCharEscape(p, i);
      if (esc === undefined) throw new Invalid(`invalid escape \\${next ?? ''} in character class`);
      cp = esc.cp;
      i = esc.end;
    } else {
      cp = p.codePointAt(i) as number;
      i += String.fromCodePoint(cp).length;
    }
    // Range?
    if (p[i] === '-' && p[i + 1] !== ']' && p[i + 1] !== undefined) {
      i++;
      let hi: number;
      if (p[i] === '\\') {
        const esc = readCharEscape(p, i);
        if (esc === undefined) throw new Invalid('bad range end in character class');
        hi = esc.cp;
        i = esc.end;
      } else {
        hi = p.codePointAt(i) as number;
        i += String.fromCodePoint(hi).length;
      }
      if (hi < cp) throw new Invalid('invalid character class range');
      body += `${classChar(cp)}-${classChar(hi)}`;
      items++;
      continue;
    }
    body += classChar(cp);
    items++;
  }
  if (negatedPosix !== undefined) {
    // A negated POSIX class can only be expressed alone: [[:^alpha:]] → [^A-Za-z].
    if (items !== 1) throw new Unsupported('a negated POSIX class combined with other class items');
    return { text: negated ? `[${negatedPosix}]` : `[^${negatedPosix}]`, end: i };
  }
  if (body === '') return { text: negated ? '[\\s\\S]' : '[^\\s\\S]', end: i };
  return { text: `[${negated ? '^' : ''}${body}]`, end: i };
}

function classChar(cp: number): string {
  if (cp < 0x20 || cp === 0x7f) return codePointEscape(cp);
  return escapeClassLiteral(String.fromCodePoint(cp));
}

function readProperty(p: string, i: number): { text: string; end: number } {
  const negated = p[i + 1] === 'P';
  if (p[i + 2] === '{') {
    const close = p.indexOf('}', i + 3);
    if (close === -1) throw new Invalid('missing } in \\p{…}');
    return { text: unicodeProperty(p.slice(i + 3, close), negated), end: close + 1 };
  }
  const name = p[i + 2];
  if (name === undefined || !/[A-Za-z]/.test(name)) throw new Invalid('bad \\p escape');
  return { text: unicodeProperty(name, negated), end: i + 3 };
}

/** Reads a `{n}`, `{n,}`, `{n,m}` repetition at `p[i] === '{'`; undefined when it is a literal brace in RE2. */
function readRepeat(p: string, i: number): { text: string; end: number } | undefined {
  const m = /^\{(\d+)(,(\d*))?\}/.exec(p.slice(i, i + 24));
  if (m === null) return undefined;
  const min = Number(m[1]);
  const max = m[2] === undefined ? min : m[3] === '' ? undefined : Number(m[3]);
  if (min > 1000 || (max !== undefined && (max > 1000 || max < min))) throw new Invalid('bad repetition count');
  return { text: m[0], end: i + m[0].length };
}

function hasCase(ch: string): boolean {
  return ch.toLowerCase() !== ch.toUpperCase();
}

/**
 * Translates an RE2 pattern. `caseInsensitive` is the Unleash constraint's flag (RE2's CASE_INSENSITIVE option).
 *
 * @example
 * translateRe2('^[[:alpha:]]+$', false); // { kind: 'ok', pattern: '^[A-Za-z]+$', caseInsensitive: false }
 * translateRe2('^(?=a)b$', false);       // { kind: 'invalid', reason: 'lookaround …' }
 */
export function translateRe2(pattern: string, caseInsensitive: boolean): Re2Translation {
  try {
    return translate(pattern, caseInsensitive);
  } catch (e) {
    if (e instanceof Invalid) return { kind: 'invalid', reason: e.message };
    if (e instanceof Unsupported) return { kind: 'unsupported', reason: e.message };
    throw e;
  }
}

function translate(p: string, globalI: boolean): Re2Translation {
  const pieces: Piece[] = [];
  // Flags of the enclosing groups; a `(?flags)` changes the current group's flags up to its `)`.
  const stack: Flags[] = [];
  let flags: Flags = { i: globalI, m: false, s: false };
  // Whether the previous piece can take a quantifier.
  let quantifiable = false;
  let i = 0;
  const push = (piece: Piece, canRepeat = true): void => {
    pieces.push(piece);
    quantifiable = canRepeat;
  };
  while (i < p.length) {
    const c = p[i] as string;
    if (c === '\\') {
      const next = p[i + 1];
      if (next === undefined) throw new Invalid('trailing backslash');
      if ('dDwW'.includes(next)) {
        push({ text: `\\${next}` });
        i += 2;
        continue;
      }
      if (next === 's' || next === 'S') {
        push({ text: next === 's' ? `[${RE2_SPACE}]` : `[^${RE2_SPACE}]` });
        i += 2;
        continue;
      }
      if (next === 'b' || next === 'B') {
        // Word boundaries only know ASCII word characters in RE2; JS agrees unless ignoring case under `u`,
        // where two non-ASCII characters (U+017F, U+212A) fold into \w — negligible.
        push({ text: `\\${next}` }, false);
        i += 2;
        continue;
      }
      if (next === 'A') {
        push({ text: '^' }, false);
        i += 2;
        continue;
      }
      if (next === 'z') {
        push({ text: '$' }, false);
        i += 2;
        continue;
      }
      if (next === 'p' || next === 'P') {
        const { text, end } = readProperty(p, i);
        push({ text, ci: flags.i });
        i = end;
        continue;
      }
      if (next === 'Q') {
        const close = p.indexOf('\\E', i + 2);
        const lit = close === -1 ? p.slice(i + 2) : p.slice(i + 2, close);
        for (const ch of lit) push(literalPiece(ch, flags.i));
        i = close === -1 ? p.length : close + 2;
        continue;
      }
      if (next === 'E') {
        // A stray \E is ignored by RE2.
        i += 2;
        continue;
      }
      if (next === 'C') throw new Unsupported('\\C (any byte)');
      const esc = readCharEscape(p, i);
      if (esc === undefined) throw new Invalid(`invalid escape \\${next}`);
      push(literalPiece(String.fromCodePoint(esc.cp), flags.i));
      i = esc.end;
      continue;
    }
    if (c === '[') {
      const { text, end } = readClass(p, i);
      push({ text, ci: flags.i });
      i = end;
      continue;
    }
    if (c === '(') {
      if (p[i + 1] === '?') {
        const rest = p.slice(i + 2);
        if (rest.startsWith(':')) {
          stack.push(flags);
          flags = { ...flags };
          push({ text: '(?:' }, false);
          i += 3;
          continue;
        }
        const named = /^P?<([A-Za-z0-9_]+)>/.exec(rest);
        if (named !== null) {
          stack.push(flags);
          flags = { ...flags };
          push({ text: '(' }, false);
          i += 2 + named[0].length;
          continue;
        }
        const fl = /^(-?[imsU]+|[imsU]+-[imsU]*)([:)])/.exec(rest);
        if (fl !== null) {
          const spec = fl[1] as string;
          const next = { ...flags };
          let on = true;
          for (const ch of spec) {
            if (ch === '-') on = false;
            else if (ch === 'i' || ch === 'm' || ch === 's') next[ch] = on;
            // U (ungreedy) changes which match is found, not whether one exists.
          }
          if (fl[2] === ':') {
            stack.push(flags);
            flags = next;
            push({ text: '(?:' }, false);
          } else {
            flags = next;
            quantifiable = false;
          }
          i += 2 + fl[0].length;
          continue;
        }
        if (/^(=|!|<=|<!)/.test(rest)) throw new Invalid('lookaround assertions are not supported by RE2');
        throw new Invalid(`unknown group syntax (?${rest.slice(0, 3)}`);
      }
      stack.push(flags);
      flags = { ...flags };
      push({ text: '(' }, false);
      i++;
      continue;
    }
    if (c === ')') {
      const outer = stack.pop();
      if (outer === undefined) throw new Invalid('unbalanced )');
      flags = outer;
      push({ text: ')' });
      i++;
      continue;
    }
    if (c === '*' || c === '+' || c === '?' || (c === '{' && readRepeat(p, i) !== undefined)) {
      if (!quantifiable) throw new Invalid('missing argument to repetition operator');
      let text: string;
      if (c === '{') {
        const r = readRepeat(p, i) as { text: string; end: number };
        text = r.text;
        i = r.end;
      } else {
        text = c;
        i++;
      }
      if (p[i] === '?') {
        text += '?';
        i++;
      }
      if (p[i] === '*' || p[i] === '+' || p[i] === '?' || (p[i] === '{' && readRepeat(p, i) !== undefined)) {
        throw new Invalid('bad repetition operator (RE2 has no possessive or stacked quantifiers)');
      }
      push({ text }, false);
      continue;
    }
    if (c === '|') {
      push({ text: '|' }, false);
      i++;
      continue;
    }
    if (c === '.') {
      push({ text: flags.s ? '[\\s\\S]' : '[^\\n]' });
      i++;
      continue;
    }
    if (c === '^') {
      push({ text: flags.m ? '(?<![^\\n])' : '^' }, false);
      i++;
      continue;
    }
    if (c === '$') {
      push({ text: flags.m ? '(?![^\\n])' : '$' }, false);
      i++;
      continue;
    }
    const cp = p.codePointAt(i) as number;
    const ch = String.fromCodePoint(cp);
    push(literalPiece(ch, flags.i));
    i += ch.length;
  }
  if (stack.length > 0) throw new Invalid('missing )');

  // Case handling: one uniform mode maps onto Halyard's caseInsensitive; mixed modes expand literal characters.
  const modes = new Set(pieces.filter((x) => x.ci !== undefined).map((x) => x.ci));
  let ci = globalI;
  let out: string;
  if (modes.size <= 1) {
    ci = modes.size === 1 ? [...modes][0] === true : false;
    out = pieces.map((x) => x.text).join('');
  } else {
    ci = false;
    out = pieces
      .map((x) => {
        if (x.ci !== true) return x.text;
        if (x.literal === undefined) throw new Unsupported('a character class under a partial (?i) flag');
        const lo = x.literal.toLowerCase();
        const up = x.literal.toUpperCase();
        return lo.length === 1 && up.length === 1 && lo !== up ? `[${lo}${up}]` : x.text;
      })
      .join('');
  }
  try {
    new RegExp(out, ci ? 'iu' : 'u');
  } catch (e) {
    throw new Invalid(`does not compile (${e instanceof Error ? e.message : String(e)})`);
  }
  return { kind: 'ok', pattern: out, caseInsensitive: ci };
}

function literalPiece(ch: string, ci: boolean): Piece {
  const cp = ch.codePointAt(0) as number;
  const text = cp < 0x20 || cp === 0x7f ? codePointEscape(cp) : escapeLiteral(ch);
  return hasCase(ch) ? { text, ci, literal: ch } : { text };
}
