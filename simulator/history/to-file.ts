import { closeSync, openSync, writeSync } from 'node:fs';
import { generateHistory } from './generate.js';
import type { GenerationSummary, HistoryOptions } from './types.js';

/** Lines are gathered into chunks of about this many bytes before one write. */
const CHUNK_BYTES = 1 << 20;

/**
 * Writes the history to `path` (created or truncated). Synchronous writes of ~1 MiB chunks:
 * generation is CPU-bound and single-threaded anyway, and a synchronous writer needs no
 * backpressure handling. The output is ASCII only, so latin1 encoding is exact and cheaper
 * than utf8. The promise keeps the signature open to a streaming implementation.
 */
export async function generateHistoryToFile(options: HistoryOptions, path: string): Promise<GenerationSummary> {
  const began = performance.now();
  const fd = openSync(path, 'w');
  try {
    let chunk = '';
    const flush = (): void => {
      const bytes = Buffer.from(chunk, 'latin1');
      chunk = '';
      let offset = 0;
      while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
    };
    const summary = generateHistory(options, (line) => {
      chunk += line + '\n';
      if (chunk.length >= CHUNK_BYTES) flush();
    });
    if (chunk.length > 0) flush();
    return { ...summary, durationMs: performance.now() - began };
  } finally {
    closeSync(fd);
  }
}
