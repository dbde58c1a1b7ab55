import { statSync } from 'node:fs';
import { parseArgs } from 'node:util';

/**
 * Node flags a replay runs with (the CLI's `simulate` relaunches itself with them for large
 * histories; the benchmark always does).
 *
 * A replay allocates about 3 KB per history line that dies within a few thousand lines (parsed
 * events waiting for their features, facts, decision records). With V8's default 16 MiB semi-spaces
 * the main thread scavenged 284 times on a 1M-order history (1.4 s of pauses, each copying the
 * events still in flight); with 64 MiB, 90 times (0.45 s), and the replay took about 2 s less in
 * alternating runs (for example 13.0 s to 9.9 s). 128 MiB was no better.
 */
export const SIMULATE_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=64'];

/**
 * Whether `simulate` with these arguments is worth a relaunch under SIMULATE_NODE_FLAGS. Starting a
 * second process costs about 0.7 s (2.2 s instead of 1.5 s for 20k orders); the flags save about 15%
 * of a replay, so they pay from a few seconds of replay on: histories of RELAUNCH_MIN_BYTES or more.
 * A history that cannot be read is left to the command to report. A run on workers (--workers) replays
 * nothing itself: the workers run with the flags.
 */
export function simulateWantsNodeFlags(args: readonly string[]): boolean {
  const { values } = parseArgs({ args: [...args], strict: false, allowPositionals: true, options: { history: { type: 'string' }, workers: { type: 'string' } } });
  if (values['workers'] !== undefined) return false;
  const history = values['history'];
  if (typeof history !== 'string') return false;
  try {
    return statSync(history).size >= RELAUNCH_MIN_BYTES;
  } catch {
    return false;
  }
}

/** About 450k orders of a generated history. */
export const RELAUNCH_MIN_BYTES = 128 << 20;
