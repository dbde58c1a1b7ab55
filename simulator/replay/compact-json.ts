import { ownCopy } from './own-copy.js';

/**
 * A fast path for the lines histories are made of: one JSON object written without whitespace or
 * escapes (`{"eventId":"e1","type":"order.placed",…,"amount":91.73}`, nested objects and arrays
 * included), about 1.5× faster than JSON.parse on such lines.
 *
 * It returns exactly what JSON.parse would, or undefined whenever the text is anything else (an escape,
 * whitespace, a malformed number, a `__proto__` key, nesting deeper than MAX_DEPTH, invalid JSON):
 * the caller then uses JSON.parse, so anything unusual, including every error message, is JSON.parse's.
 * A property test holds it to JSON.parse on random texts.
 *
 * `ownText`: the text is a string of its own (not cut out of a larger string, as the simulator's line
 * reader makes each line); then strings returned from a short text may be views into it (see detached).
 */
export function parseCompactJson(text: string, ownText = false): Record<string, unknown> | undefined {
  made = undefined;
  keepViews = ownText && text.length <= SHORT_TEXT;
  const n = text.length;
  if (n < 2 || text.charCodeAt(0) !== OPEN || text.charCodeAt(n - 1) !== CLOSE) return undefined;
  // No escape and no control character anywhere (outside strings one would be invalid or whitespace):
  // every string of the line then ends at its next quote and is exactly its characters.
  if (ESCAPE_OR_CONTROL.test(text)) return undefined;
  cursor = 0;
  const out = topLevelObject(text);
  if (cursor === n) return out;
  made = undefined;
  return undefined;
}

/**
 * The keys and values of the object the last successful parseCompactJson returned, in order, when it
 * was built from a known key sequence (the keys array is then the same for every line of that
 * sequence); undefined otherwise. Valid until the next parse.
 */
export function lastParsedMembers(): { keys: readonly string[]; values: readonly unknown[] } | undefined {
  if (made === undefined) return undefined;
  members.keys = made.keys;
  return members;
}

let made: Shape | undefined;
const members: { keys: readonly string[]; values: readonly unknown[] } = { keys: [], values: [] };

/** Where the parse has got to: the value functions below read from it and leave it after what they read. */
let cursor = 0;
const MAX_DEPTH = 16;

/** Keys and values of the line's object as read, before it is built (reused from line to line). */
const topKeys: string[] = [];
const topValues: unknown[] = [];
members.values = topValues;

/** The line's object (the cursor is on its `{`), or undefined. */
function topLevelObject(text: string): Record<string, unknown> | undefined {
  let i = cursor + 1;
  let count = 0;
  if (text.charCodeAt(i) === CLOSE) {
    cursor = i + 1;
    return {};
  }
  for (;;) {
    // "key":
    if (text.charCodeAt(i) !== QUOTE) return undefined;
    // History lines repeat their keys in the same order: the key last seen at this position, when it
    // matches, is reused instead of cut out and looked up again as a new string.
    let key = count < recentKeys.length ? (recentKeys[count] as string) : '';
    let keyEnd = i + 1 + key.length;
    if (key === '' || text.charCodeAt(keyEnd) !== QUOTE || !text.startsWith(key, i + 1)) {
      keyEnd = plainStringEnd(text, i + 1);
      if (keyEnd < 0) return undefined;
      key = detached(text.slice(i + 1, keyEnd));
      if (key === '__proto__') return undefined;
      if (count < MAX_RECENT_KEYS) recentKeys[count] = key;
    }
    if (text.charCodeAt(keyEnd + 1) !== COLON) return undefined;
    cursor = keyEnd + 2;
    let value = valueAt(text, 0);
    if (value === undefined) return undefined;
    if (typeof value === 'string' && count < MAX_RECENT_KEYS) {
      // The value last read at this place, when equal (a type, a category, a label), is handed out
      // instead: that string has long been hashed, and every later lookup by it is cheaper.
      const recent = recentValues[count];
      if (recent === value) value = recent;
      else recentValues[count] = value;
    }
    topKeys[count] = key;
    topValues[count] = value;
    count++;
    const more = nextMember(text);
    if (more === undefined) return undefined;
    i = cursor;
    if (more) continue;
    const make = makerOf(count);
    if (make !== undefined) {
      made = lastShape;
      return make(topValues);
    }
    const out: Record<string, unknown> = {};
    for (let k = 0; k < count; k++) out[topKeys[k] as string] = topValues[k];
    return out;
  }
}

/**
 * Builds an object of one key sequence from the values read, as an object literal: the object
 * JSON.parse would make (same keys, same order, a repeated key's last value at its first place), in
 * one step with its final layout, where adding the properties one by one costs about ten times more
 * per line. Keys hold no quote, backslash or control character (none is in the line) and are never
 * `__proto__`, so JSON.stringify writes each as a plain string literal: no text of the line becomes code.
 */
type Maker = (values: readonly unknown[]) => Record<string, unknown>;
interface Shape {
  readonly keys: readonly string[];
  readonly make: Maker;
}
const shapes: Shape[] = [];
let lastShape: Shape | undefined;
/** Histories have a few shapes per event type; past this many, objects are built key by key. */
const MAX_SHAPES = 64;

function makerOf(count: number): Maker | undefined {
  if (lastShape !== undefined && isShape(lastShape, count)) return lastShape.make;
  for (const shape of shapes) {
    if (isShape(shape, count)) {
      lastShape = shape;
      return shape.make;
    }
  }
  if (shapes.length >= MAX_SHAPES || !codeGeneration) return undefined;
  const keys = topKeys.slice(0, count);
  const body = `return {${keys.map((key, k) => `${JSON.stringify(key)}: values[${k}]`).join(', ')}};`;
  let make: Maker;
  try {
    make = new Function('values', body) as Maker;
  } catch {
    // Code generation refused (node --disallow-code-generation-from-strings): objects are built key by key.
    codeGeneration = false;
    return undefined;
  }
  lastShape = { keys, make };
  shapes.push(lastShape);
  return make;
}

let codeGeneration = true;

function isShape(shape: Shape, count: number): boolean {
  const keys = shape.keys;
  if (keys.length !== count) return false;
  for (let k = 0; k < count; k++) if (keys[k] !== topKeys[k]) return false;
  return true;
}

/** A nested object (the cursor is on its `{`), or undefined. */
function objectAt(text: string, depth: number): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  let i = cursor + 1;
  if (text.charCodeAt(i) === CLOSE) {
    cursor = i + 1;
    return out;
  }
  for (;;) {
    if (text.charCodeAt(i) !== QUOTE) return undefined;
    const keyEnd = plainStringEnd(text, i + 1);
    if (keyEnd < 0) return undefined;
    const key = detached(text.slice(i + 1, keyEnd));
    if (key === '__proto__' || text.charCodeAt(keyEnd + 1) !== COLON) return undefined;
    cursor = keyEnd + 2;
    const value = valueAt(text, depth);
    if (value === undefined) return undefined;
    out[key] = value;
    const more = nextMember(text);
    if (more === undefined) return undefined;
    i = cursor;
    if (!more) return out;
  }
}

/** After an object's member: past a comma (true: a member follows), past the closing brace (false), or undefined for anything else. */
function nextMember(text: string): boolean | undefined {
  const next = text.charCodeAt(cursor);
  if (next !== COMMA && next !== CLOSE) return undefined;
  cursor++;
  return next === COMMA;
}

/** The array at the cursor (which is on its `[`), or undefined. */
function arrayAt(text: string, depth: number): unknown[] | undefined {
  const out: unknown[] = [];
  cursor++;
  if (text.charCodeAt(cursor) === CLOSE_ARRAY) {
    cursor++;
    return out;
  }
  for (;;) {
    const value = valueAt(text, depth);
    if (value === undefined) return undefined;
    out.push(value);
    const next = text.charCodeAt(cursor);
    if (next === COMMA) {
      cursor++;
      continue;
    }
    if (next !== CLOSE_ARRAY) return undefined;
    cursor++;
    return out;
  }
}

/** The value at the cursor: a plain string, a number, true, false, null, or a nested object or array. */
function valueAt(text: string, depth: number): unknown {
  const i = cursor;
  const first = text.charCodeAt(i);
  if (first === QUOTE) {
    const end = plainStringEnd(text, i + 1);
    if (end < 0) return undefined;
    cursor = end + 1;
    return detached(text.slice(i + 1, end));
  }
  if (first === OPEN) return depth < MAX_DEPTH ? objectAt(text, depth + 1) : undefined;
  if (first === OPEN_ARRAY) return depth < MAX_DEPTH ? arrayAt(text, depth + 1) : undefined;
  if (first === 116 && text.startsWith('true', i)) {
    cursor = i + 4;
    return true;
  }
  if (first === 102 && text.startsWith('false', i)) {
    cursor = i + 5;
    return false;
  }
  if (first === 110 && text.startsWith('null', i)) {
    cursor = i + 4;
    return null;
  }
  const end = numberEnd(text, i);
  if (end < 0) return undefined;
  cursor = end;
  return numberEndValue === numberEndValue ? numberEndValue : Number(text.slice(i, end));
}

/**
 * The string cut out of the text, or a copy of it (ownCopy) when keeping it could keep a large string
 * alive: a value kept from a line that is itself a view into a megabyte chunk would keep the chunk, and
 * a long replay the whole file. JSON.parse makes copies; so does this, unless the caller said the text
 * is a short string of its own, where a view keeps no more than that line.
 */
function detached(cut: string): string {
  return keepViews ? cut : ownCopy(cut);
}
/** Set per parse: the text is a short string of its own, so values may stay views into it. */
let keepViews = false;
const SHORT_TEXT = 1024;

/** Top-level keys by their position in the last lines read (never `__proto__`, never holding an escape). */
const recentKeys: string[] = [];
/** Top-level string values by their position in the last lines read. */
const recentValues: (string | undefined)[] = [];
const MAX_RECENT_KEYS = 32;

const OPEN = 123; // {
const CLOSE = 125; // }
const OPEN_ARRAY = 91; // [
const CLOSE_ARRAY = 93; // ]
const QUOTE = 34;
const COLON = 58;
const COMMA = 44;
/** One search of the whole line, about three times faster than looking at each string's characters. */
const ESCAPE_OR_CONTROL = /[\\\u0000-\u001f]/;

/** Index of the quote closing a string whose text starts at `from` (the line holds no escape), or -1. */
function plainStringEnd(text: string, from: number): number {
  return text.indexOf('"', from);
}

/**
 * The value of the number numberEnd last delimited when it could compute it exactly, else NaN
 * (then the caller converts the text). A decimal of at most 15 significant digits is an integer
 * below 2^53 divided by a power of ten below 10^23, both exact doubles, and IEEE division rounds
 * correctly, so the quotient is the very double Number() reads from the text.
 */
let numberEndValue = Number.NaN;
const POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => 10 ** k);

/** End of a JSON number starting at `from` (RFC 8259: -?(0|[1-9]d*)(.d+)?([eE][+-]?d+)?), or -1; sets numberEndValue. */
function numberEnd(text: string, from: number): number {
  numberEndValue = Number.NaN;
  let i = from;
  const negative = text.charCodeAt(i) === 45; // -
  if (negative) i++;
  const first = text.charCodeAt(i);
  let digits = 0;
  let mantissa = 0;
  if (first === 48) {
    i++; // a leading 0 stands alone
  } else if (first >= 49 && first <= 57) {
    const end = digitsEnd(text, i);
    digits = end - i;
    for (let k = i; k < end; k++) mantissa = mantissa * 10 + (text.charCodeAt(k) - 48);
    i = end;
  } else {
    return -1;
  }
  let scale = 0;
  if (text.charCodeAt(i) === 46) {
    const end = digitsEnd(text, i + 1);
    if (end === i + 1) return -1;
    scale = end - i - 1;
    digits += scale;
    for (let k = i + 1; k < end; k++) mantissa = mantissa * 10 + (text.charCodeAt(k) - 48);
    i = end;
  }
  const e = text.charCodeAt(i);
  if (e === 101 || e === 69) {
    i++;
    const sign = text.charCodeAt(i);
    if (sign === 43 || sign === 45) i++;
    const end = digitsEnd(text, i);
    if (end === i) return -1;
    return end; // with an exponent, Number() reads the text
  }
  if (digits <= 15) {
    const magnitude = scale === 0 ? mantissa : mantissa / (POWERS_OF_TEN[scale] as number);
    numberEndValue = negative ? -magnitude : magnitude;
  }
  return i;
}

function digitsEnd(text: string, from: number): number {
  let i = from;
  for (;;) {
    const ch = text.charCodeAt(i);
    if (ch < 48 || ch > 57) return i;
    i++;
  }
}
