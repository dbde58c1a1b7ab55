/**
 * The replay in one thread: each line read (stage 1) goes through the step in turn (decide, apply,
 * tally), with features kept by the worlds' own memory stores.
 */
import { atMs } from '../../engine/events/index.js';
import { forEachLine } from './line-reader.js';
import type { ReplayStep } from './options.js';
import { readEventLine } from './read-event.js';
import { inOtherShard, ownerOf, type Shard } from './shard.js';

export async function replayInThread(historyPath: string, shard: Shard | undefined, step: ReplayStep, progress: ((bytes: number) => void) | undefined): Promise<void> {
  await forEachLine(
    historyPath,
    (text, line) => {
      const owner = ownerOf(text, shard);
      if (owner !== undefined && !shard?.accounts?.has(owner)) return;
      const read = readEventLine(text, line);
      if (read === undefined) return;
      if (typeof read === 'string') return step.bad(line, read, owner !== undefined);
      return inOtherShard(read, shard) ? undefined : step.event(read, line, atMs(read));
    },
    progress,
  );
}
