/**
 * Event time → epoch ms without Date.parse for the canonical forms events carry
 * ("YYYY-MM-DDTHH:MM:SSZ" and "YYYY-MM-DDTHH:MM:SS.sssZ"); anything else (offsets, other precisions,
 * out-of-range fields) goes to Date.parse, so the result is always exactly `Date.parse(at)`.
 * And back: isoOf(ms) is exactly `new Date(ms).toISOString()`, without its cost per decision.
 */

const MS_PER_DAY = 86_400_000;

/** Same value as `Date.parse(at)` (and so as `atMs(event)`), several times faster on canonical UTC stamps. */
export function parseEventTime(at: string): number {
  const ms = parseCanonicalTime(at);
  return ms === ms ? ms : Date.parse(at);
}

/**
 * Epoch ms of a canonical UTC stamp ("YYYY-MM-DDTHH:MM:SSZ", "YYYY-MM-DDTHH:MM:SS.sssZ") with every
 * field in range (a real calendar date, no leap second), NaN for anything else. Such a stamp is a
 * valid RFC 3339 date-time that Date.parse reads to this same value.
 */
let lastAt = '';
let lastMs = Number.NaN;

export function parseCanonicalTime(at: string): number {
  // One event's stamp is read several times in a row (validation, its decision, its feature entry).
  if (at === lastAt) return lastMs;
  const ms = canonicalTime(at);
  lastAt = at;
  lastMs = ms;
  return ms;
}

function canonicalTime(at: string): number {
  const n = at.length;
  if ((n === 20 || n === 24) && at.charCodeAt(n - 1) === 90 /* Z */ && at.charCodeAt(4) === 45 && at.charCodeAt(7) === 45
    && at.charCodeAt(10) === 84 /* T */ && at.charCodeAt(13) === 58 && at.charCodeAt(16) === 58) {
    const y = digit(at, 0) * 1000 + digit(at, 1) * 100 + digit(at, 2) * 10 + digit(at, 3);
    const mo = digit(at, 5) * 10 + digit(at, 6);
    const d = digit(at, 8) * 10 + digit(at, 9);
    const h = digit(at, 11) * 10 + digit(at, 12);
    const mi = digit(at, 14) * 10 + digit(at, 15);
    const s = digit(at, 17) * 10 + digit(at, 18);
    let ms = 0;
    if (n === 24) ms = at.charCodeAt(19) === 46 /* . */ ? digit(at, 20) * 100 + digit(at, 21) * 10 + digit(at, 22) : -1;
    // A non-digit makes its field negative (digit() is -1000), so every range check below fails.
    if (y >= 0 && mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo) && h >= 0 && h <= 23 && mi >= 0 && mi <= 59 && s >= 0 && s <= 59 && ms >= 0) {
      return daysFromCivil(y, mo, d) * MS_PER_DAY + h * 3_600_000 + mi * 60_000 + s * 1000 + ms;
    }
  }
  return Number.NaN;
}

function digit(s: string, i: number): number {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -1000;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** toISOString writes a 4-digit year for instants in [0000-01-01, 9999-12-31]. */
const FIRST_4_DIGIT_YEAR_MS = -62_167_219_200_000;
const AFTER_4_DIGIT_YEARS_MS = 253_402_300_800_000;
const pad2 = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
/** ".sssZ" for each millisecond. */
const millisZ = Array.from({ length: 1000 }, (_, i) => `.${String(i).padStart(3, '0')}Z`);
/** "HH:MM:SS" for each second of the day, made when first needed. */
const timesOfDay: (string | undefined)[] = new Array<string | undefined>(86_400);
/** The date parts ("YYYY-MM-DDT") of the last two days formatted: an event's day and the wall clock's. */
let dayA = Number.NaN;
let isoA = '';
let dayB = Number.NaN;
let isoB = '';

function datePart(day: number): string {
  if (day === dayA) return isoA;
  if (day !== dayB) {
    dayB = day;
    isoB = new Date(day * MS_PER_DAY).toISOString().slice(0, 11);
  }
  // Most recent first.
  const d = dayA;
  const s = isoA;
  dayA = dayB;
  isoA = isoB;
  dayB = d;
  isoB = s;
  return isoA;
}

/** `new Date(ms).toISOString()`, from a cached date part and table digits for the time of day. */
export function isoOf(ms: number): string {
  if (!(Number.isInteger(ms) && ms >= FIRST_4_DIGIT_YEAR_MS && ms < AFTER_4_DIGIT_YEARS_MS)) return new Date(ms).toISOString();
  const day = Math.floor(ms / MS_PER_DAY);
  const rest = ms - day * MS_PER_DAY;
  const milli = rest % 1000;
  const second = (rest - milli) / 1000;
  // Three pieces, not eight: one decision's timestamp is two string joins.
  return datePart(day) + (timesOfDay[second] ?? timeOfDay(second)) + millisZ[milli];
}

function timeOfDay(second: number): string {
  const text = `${pad2[Math.floor(second / 3600)]}:${pad2[Math.floor(second / 60) % 60]}:${pad2[second % 60]}`;
  timesOfDay[second] = text;
  return text;
}
