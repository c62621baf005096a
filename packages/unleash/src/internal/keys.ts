/**
 * Name mapping between Unleash and Halyard, shared by the importer (which writes keys and attribute paths) and
 * `unleashContext`/the adapter (which must read them back the same way).
 */
import { murmur3 } from '@halyard/core';
import { KEY_PATTERN, MAX_ATTRIBUTE_PATH_LENGTH } from '@halyard/core/definitions';

const KEEP = /^[A-Za-z0-9._-]$/;

function escapeKeyChars(name: string): string {
  let out = '';
  for (const ch of name) {
    if (KEEP.test(ch)) {
      out += ch;
      continue;
    }
    // UTF-8 bytes as ":xx" (lone surrogates become U+FFFD, as everywhere else in Halyard).
    const cp = ch.codePointAt(0) as number;
    const safe = cp >= 0xd800 && cp <= 0xdfff ? 0xfffd : cp;
    const bytes =
      safe < 0x80
        ? [safe]
        : safe < 0x800
          ? [0xc0 | (safe >> 6), 0x80 | (safe & 0x3f)]
          : safe < 0x10000
            ? [0xe0 | (safe >> 12), 0x80 | ((safe >> 6) & 0x3f), 0x80 | (safe & 0x3f)]
            : [0xf0 | (safe >> 18), 0x80 | ((safe >> 12) & 0x3f), 0x80 | ((safe >> 6) & 0x3f), 0x80 | (safe & 0x3f)];
    for (const b of bytes) out += `:${b.toString(16).padStart(2, '0')}`;
  }
  return out;
}

/**
 * The Halyard key for an Unleash name. Names that already are valid Halyard keys and contain no ":" map to
 * themselves; anything else becomes `"u:" + escaped`, where every character outside `A–Z a–z 0–9 . _ -` is
 * written as `:xx` per UTF-8 byte. Escaped keys always start with "u:" and identity keys never contain ":", so
 * the mapping is injective. Escaped keys longer than 200 characters are shortened to a prefix plus `:h` and a
 * 32-bit hash of the name (collisions are reported by the importer). `reserved` names are always escaped.
 */
export function toHalyardKey(name: string, reserved?: ReadonlySet<string>): string {
  if (KEY_PATTERN.test(name) && !name.includes(':') && !(reserved?.has(name) ?? false)) return name;
  const key = `u:${escapeKeyChars(name)}`;
  if (key.length <= 200) return key;
  return `${key.slice(0, 189)}:h${murmur3(name).toString(16).padStart(8, '0')}`;
}

/**
 * The Halyard attribute path for an Unleash context field name. Halyard reads dots as nesting, Unleash does
 * not, so "." is written as "%2E" (and "%" as "%25" to keep the mapping injective); the empty name becomes "%".
 * `undefined` when the result is too long to be an attribute path.
 */
export function toHalyardAttribute(name: string): string | undefined {
  const path = name === '' ? '%' : name.replace(/%/g, '%25').replace(/\./g, '%2E');
  return path.length <= MAX_ATTRIBUTE_PATH_LENGTH ? path : undefined;
}
