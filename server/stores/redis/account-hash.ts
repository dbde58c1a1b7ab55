/**
 * The fields of an account hash of the Redis feature store: an event's field (its id, or a digest of
 * a long one), which events trim, and the decoding of the whole hash (HGETALL) into an AccountLog for
 * the same pure `computeFeatures` the memory store reads through.
 */
import { createHash } from 'node:crypto';
import { decodeEntryValue, emptyAccountLog, finishAccountLog, fnv1a, type AccountLog, type CompiledFeatures } from '../../../engine/features/index.js';

/** The key of an account's hash: one hash tag per account, so every script touches one slot. */
export function accountKeyOf(prefix: string, accountId: string): string {
  return `${prefix}:a:{${accountId}}`;
}

/** Ids longer than this are stored as a 72-bit digest, keeping hash entries small (listpack-encoded). */
const MAX_PLAIN_ID = 16;

/** The hash field of an event: the id itself when short, else a 72-bit digest ('#' never occurs in ids). */
export function shortId(eventId: string): string {
  if (eventId.length <= MAX_PLAIN_ID) return eventId;
  return '#' + createHash('sha1').update(eventId).digest('base64url').slice(0, 12);
}

/**
 * About one event id in 64 (top bits of FNV-1a of the id, the well-mixed ones): the apply call of that
 * event trims its account's old entries, so a busy account is trimmed every ~64 events, as with the
 * hash-length trigger it replaces (one command less per event).
 */
export function trimsOn(eventId: string): boolean {
  return fnv1a(eventId) >>> 26 === 0;
}

/** HGETALL (flat field/value list) → AccountLog. */
export class AccountHashDecoder {
  private readonly linkedByName: Map<string, number>;
  private readonly sharedByName: Map<string, number>;

  constructor(private readonly compiled: CompiledFeatures) {
    this.linkedByName = new Map(compiled.linked.map((l, i) => [l.name, i]));
    this.sharedByName = new Map(compiled.shared.map((s, i) => [s.name, i]));
  }

  decode(flat: readonly string[]): AccountLog {
    const c = this.compiled;
    const log = emptyAccountLog(c.layouts.length, c.linked.length, c.shared.length);
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const field = flat[i] as string;
      const value = flat[i + 1] as string;
      if (field === '^') { log.firstSeen = Number(value); continue; }
      if (field.charCodeAt(1) === 124 /* '|' */) {
        const parts = field.split('|');
        const kind = parts[0];
        const feature = parts[1] ?? '';
        if (kind === 'l') {
          const li = this.linkedByName.get(feature);
          if (li !== undefined) log.links[li]?.set(parts[2] ?? '', Number(value));
        } else if (kind === 'f') {
          const li = this.linkedByName.get(feature);
          if (li !== undefined) log.flags[li]?.push({ x: parts[2] ?? '', t: Number(parts[3]) });
        } else if (kind === 's') {
          const si = this.sharedByName.get(feature);
          if (si !== undefined) log.shared[si]?.set(field.slice(3 + feature.length), Number(value));
        }
        continue;
      }
      const decoded = decodeEntryValue(c, field, value);
      if (decoded !== undefined) log.buckets[decoded.ti]?.push(decoded.entry);
    }
    return finishAccountLog(log);
  }
}
