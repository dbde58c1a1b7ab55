import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseEventTime } from './time.js';

describe('parseEventTime', () => {
  it('equals Date.parse on canonical UTC stamps of any instant', () => {
    fc.assert(fc.property(fc.integer({ min: Date.UTC(0, 0, 1) - 1e12, max: Date.UTC(9999, 11, 31, 23, 59, 59, 999) }), (ms) => {
      const iso = new Date(ms).toISOString();
      if (iso.length !== 24) return; // six-digit years: not canonical, Date.parse handles them
      expect(parseEventTime(iso)).toBe(Date.parse(iso));
      const seconds = iso.slice(0, 19) + 'Z';
      expect(parseEventTime(seconds)).toBe(Date.parse(seconds));
    }), { numRuns: 20_000 });
  });

  it('equals Date.parse (NaN included) on near-canonical and malformed stamps', () => {
    const cases = [
      '2027-01-03T10:00:00Z', '2027-01-03T10:00:00.123Z', '2027-01-03T12:00:00+02:00', '2027-02-29T00:00:00Z', '2028-02-29T00:00:00Z',
      '2100-02-29T00:00:00Z', '2000-02-29T00:00:00Z', '2027-04-31T00:00:00Z', '2027-13-01T00:00:00Z', '2027-00-01T00:00:00Z',
      '2027-01-00T00:00:00Z', '2027-01-01T24:00:00Z', '2027-01-01T23:60:00Z', '2027-01-01T23:59:60Z', '2027-01-01t10:00:00Z',
      '2027-01-01T10:00:00z', '2027-01-01 10:00:00Z', '2027-01-01T10:00:00.12Z', '2027-01-01T10:00:00,123Z', '2027-01-01T10:00:00.1234Z',
      '20a7-01-01T10:00:00Z', '2027-0a-01T10:00:00Z', '2027-01-01T1a:00:00Z', '2027-01-01T10:00:00.1a3Z', '2027-01-01', '',
      '0000-01-01T00:00:00Z', '1969-12-31T23:59:59.999Z', '+2027-01-01T00:00:00Z', '2027-1-01T10:00:00Z0000',
    ];
    for (const s of cases) expect(parseEventTime(s), s).toBe(Date.parse(s));
  });

  it('equals Date.parse on arbitrary strings of the canonical lengths', () => {
    const chars = fc.constantFrom(...'0123456789-T:.Z+ z'.split(''));
    fc.assert(fc.property(fc.string({ unit: chars, minLength: 20, maxLength: 24 }), (s) => {
      const p = Date.parse(s);
      expect(Object.is(parseEventTime(s), p) || (Number.isNaN(p) && Number.isNaN(parseEventTime(s)))).toBe(true);
    }), { numRuns: 20_000 });
  });
});
