import { plainlyValidValues, validateEvent, type RefundGuardEvent } from '../../engine/events/index.js';
import { lastParsedMembers, parseCompactJson } from './compact-json.js';

/** A history line read: the event, a bad-line message, or nothing (blank line). */
export type LineRead = RefundGuardEvent | string | undefined;

/**
 * Parses and validates one history line. Blank lines carry nothing; a bad line yields the message
 * the report lists. Both replay paths (in one thread, or pipelined) read lines through this.
 * `text` is a line as forEachLine gives it: a string of its own, not a view into its chunk.
 */
export function readEventLine(text: string, line: number): LineRead {
  if (isBlankLine(text)) return undefined;
  // forEachLine makes each line a string of its own.
  let value: unknown = parseCompactJson(text, true);
  if (value !== undefined) {
    // Most lines: checked on the keys and values the parser still holds, without walking the object.
    const members = lastParsedMembers();
    if (members !== undefined && plainlyValidValues(members.keys, members.values)) return value as RefundGuardEvent;
  } else {
    try {
      value = JSON.parse(text);
    } catch (err) {
      return `not JSON: ${(err as Error).message}`;
    }
  }
  const checked = validateEvent(value, line);
  if (!checked.ok) return checked.problems.map((p) => (p.path ? `${p.path} ${p.message}` : p.message)).join('; ');
  return checked.event;
}

/** True for a line that carries nothing (readEventLine reads it as undefined). */
function isBlankLine(text: string): boolean {
  return text.length === 0 || (text.charCodeAt(0) <= 32 && text.trim().length === 0);
}
