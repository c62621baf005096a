import { describe, expect, it } from 'vitest';
import { parseIsoDate, toEpochMs } from './date';

describe('parseIsoDate', () => {
  it('parses dates and date-times, UTC when there is no offset', () => {
    expect(parseIsoDate('2025-01-31')).toBe(Date.UTC(2025, 0, 31));
    expect(parseIsoDate('2025-01-31T12:30')).toBe(Date.UTC(2025, 0, 31, 12, 30));
    expect(parseIsoDate('2025-01-31T12:30:15.250Z')).toBe(Date.UTC(2025, 0, 31, 12, 30, 15, 250));
    expect(parseIsoDate('2025-01-31T12:30:15.123456789Z')).toBe(Date.UTC(2025, 0, 31, 12, 30, 15, 123));
    expect(parseIsoDate('2025-01-31T12:00:00+02:00')).toBe(Date.UTC(2025, 0, 31, 10));
    expect(parseIsoDate('2025-01-31T12:00:00-0530')).toBe(Date.UTC(2025, 0, 31, 17, 30));
    expect(parseIsoDate('2024-02-29')).toBe(Date.UTC(2024, 1, 29));
    expect(parseIsoDate('0001-01-01')).toBe(new Date('0001-01-01T00:00:00Z').getTime());
  });

  it.each(['', '2025', '2025-1-1', '2025-13-01', '2025-02-29', '2023-04-31', '2025-01-01T24:00', '2025-01-01T12:60', '2025-01-01 12:00', 'January 1, 2025', '2025-01-01T00:00:00+25:00', '2025-01-01T00:00:00.Z'])(
    'rejects %j',
    (s) => {
      expect(parseIsoDate(s)).toBeUndefined();
    },
  );
});

describe('toEpochMs', () => {
  it('accepts numbers, ISO strings and Dates', () => {
    expect(toEpochMs(5)).toBe(5);
    expect(toEpochMs('1970-01-01T00:00:01Z')).toBe(1000);
    expect(toEpochMs(new Date(7))).toBe(7);
  });

  it('rejects everything else without throwing', () => {
    for (const x of [Number.NaN, Number.POSITIVE_INFINITY, 'x', null, undefined, {}, [], new Date(Number.NaN), Object.create(Date.prototype), true]) {
      expect(toEpochMs(x)).toBeUndefined();
    }
  });
});
