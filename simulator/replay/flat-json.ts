/**
 * A fast path for the lines most histories are made of: one flat JSON object whose values are plain
 * strings and numbers (`{"eventId":"e1","type":"order.placed",…,"amount":91.73}`), about 1.5× faster
 * than JSON.parse on such lines.
 *
 * It returns exactly what JSON.parse would, or undefined whenever the text is anything else (an escape,
 * whitespace, a nested value, true/false/null, a malformed number, a `__proto__` key, invalid JSON):
 * the caller then uses JSON.parse, so anything unusual, including every error message, is JSON.parse's.
 * A property test holds it to JSON.parse on random texts.
 */
export function parseFlatObject(text: string): Record<string, string | number> | undefined {
  const n = text.length;
  if (n < 2 || text.charCodeAt(0) !== OPEN || text.charCodeAt(n - 1) !== CLOSE) return undefined;
  const out: Record<string, string | number> = {};
  if (n === 2) return out;
  let i = 1;
  for (;;) {
    // "key":
    if (text.charCodeAt(i) !== QUOTE) return undefined;
    const keyEnd = plainStringEnd(text, i + 1);
    if (keyEnd < 0 || text.charCodeAt(keyEnd + 1) !== COLON) return undefined;
    const key = text.slice(i + 1, keyEnd);
    if (key === '__proto__') return undefined;
    i = keyEnd + 2;
    // value: a plain string or a JSON number
    if (text.charCodeAt(i) === QUOTE) {
      const end = plainStringEnd(text, i + 1);
      if (end < 0) return undefined;
      out[key] = text.slice(i + 1, end);
      i = end + 1;
    } else {
      const end = numberEnd(text, i);
      if (end < 0) return undefined;
      out[key] = Number(text.slice(i, end));
      i = end;
    }
    // a comma, or the closing brace as the last character
    const next = text.charCodeAt(i);
    if (next === COMMA) {
      i++;
      continue;
    }
    return next === CLOSE && i === n - 1 ? out : undefined;
  }
}

const OPEN = 123; // {
const CLOSE = 125; // }
const QUOTE = 34;
const COLON = 58;
const COMMA = 44;
const BACKSLASH = 92;

/** Index of the quote closing a string whose text starts at `from`, or -1 if it holds an escape or a control character. */
function plainStringEnd(text: string, from: number): number {
  const end = text.indexOf('"', from);
  if (end < 0) return -1;
  for (let k = from; k < end; k++) {
    const ch = text.charCodeAt(k);
    if (ch === BACKSLASH || ch < 32) return -1;
  }
  return end;
}

/** End of a JSON number starting at `from` (RFC 8259: -?(0|[1-9]d*)(.d+)?([eE][+-]?d+)?), or -1. */
function numberEnd(text: string, from: number): number {
  let i = from;
  if (text.charCodeAt(i) === 45) i++; // -
  const first = text.charCodeAt(i);
  if (first === 48) i++; // a leading 0 stands alone
  else if (first >= 49 && first <= 57) i = digitsEnd(text, i + 1);
  else return -1;
  if (text.charCodeAt(i) === 46) {
    const end = digitsEnd(text, i + 1);
    if (end === i + 1) return -1;
    i = end;
  }
  const e = text.charCodeAt(i);
  if (e === 101 || e === 69) {
    i++;
    const sign = text.charCodeAt(i);
    if (sign === 43 || sign === 45) i++;
    const end = digitsEnd(text, i);
    if (end === i) return -1;
    i = end;
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
