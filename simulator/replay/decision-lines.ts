import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { rulesOf, type DecisionPair } from './decision-pair.js';

/** One `--decisions` line: what each side decided on one event, and which enforced rules said so. */
export interface DecisionLine {
  eventId: string;
  point: string;
  baseline: { action: string; rules: string[] };
  candidate: { action: string; rules: string[] };
}

export function decisionLine(pair: DecisionPair): DecisionLine {
  return {
    eventId: pair.eventId,
    point: pair.point,
    baseline: { action: pair.baseline.action, rules: rulesOf(pair.baseline) },
    candidate: { action: pair.candidate.action, rules: rulesOf(pair.candidate) },
  };
}

/**
 * Writes decision lines to a file in ~1 MiB batches. The replay loop is synchronous, so the
 * writer buffers instead of awaiting drain per line; the batch bounds memory.
 */
export class DecisionFileWriter {
  private readonly stream: WriteStream;
  private buffer = '';

  constructor(path: string) {
    this.stream = createWriteStream(path, { encoding: 'utf8' });
  }

  write(pair: DecisionPair): void {
    this.buffer += JSON.stringify(decisionLine(pair)) + '\n';
    if (this.buffer.length >= 1 << 20) this.flush();
  }

  private flush(): void {
    if (this.buffer.length > 0) this.stream.write(this.buffer);
    this.buffer = '';
  }

  async close(): Promise<void> {
    this.flush();
    this.stream.end();
    await once(this.stream, 'finish');
  }
}
