/**
 * ISO-8601 date parsing with one meaning everywhere.
 *
 * `Date.parse` is not used because its handling of non-ISO strings varies by engine and it reads date-times
 * without an offset as *local* time, so the same flag would flip at different instants on different servers.
 * Here a missing offset means UTC, and anything that is not one of these forms is rejected:
 *   YYYY-MM-DD
 *   YYYY-MM-DDTHH:MM[:SS[.fraction]][Z|±HH:MM|±HHMM]
 */

const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?([Zz]|[+-]\d{2}:?\d{2})?)?$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

/** Epoch milliseconds of an ISO-8601 date or date-time string, or `undefined` if it is not a valid one. */
export function parseIsoDate(input: string): number | undefined {
  if (input.length > 40) return undefined;
  const m = ISO_RE.exec(input);
  if (m === null) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12) return undefined;
  const dim = month === 2 && isLeap(year) ? 29 : (DAYS_IN_MONTH[month - 1] as number);
  if (day < 1 || day > dim) return undefined;
  const hour = m[4] === undefined ? 0 : Number(m[4]);
  const minute = m[5] === undefined ? 0 : Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const fraction = m[7];
  const ms = fraction === undefined ? 0 : Number(fraction.padEnd(3, '0').slice(0, 3));
  let offsetMinutes = 0;
  const zone = m[8];
  if (zone !== undefined && zone !== 'Z' && zone !== 'z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = Number(digits.slice(2, 4));
    if (oh > 23 || om > 59) return undefined;
    offsetMinutes = sign * (oh * 60 + om);
  }
  // Date.UTC maps years 0–99 to 1900–1999; setUTCFullYear does not.
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, ms);
  return d.getTime() - offsetMinutes * 60_000;
}

const dateGetTime = Date.prototype.getTime;

/** The epoch milliseconds of a real `Date` (brand-checked, so it works across realms), else undefined. */
function dateTime(value: object): number | undefined {
  try {
    const t = dateGetTime.call(value as Date);
    return Number.isFinite(t) ? t : undefined;
  } catch {
    return undefined; // not a Date
  }
}

/**
 * Epoch milliseconds of a date operand or attribute: an ISO-8601 string, a finite number (epoch ms) or a valid
 * `Date`. Anything else is `undefined`. Never throws.
 */
export function toEpochMs(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string') return parseIsoDate(value);
  if (typeof value === 'object' && value !== null) return dateTime(value);
  return undefined;
}
