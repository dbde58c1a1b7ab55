/** `refund-guard worker` (usage in server/cli/usage.ts): runs until SIGTERM or SIGINT, then hands its shards back. */
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { DEFAULT_PREFIX } from './protocol.js';
import { startWorker } from './worker.js';

interface IO {
  out(text: string): void;
  err(text: string): void;
}

export async function workerCommand(args: string[], io: IO): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      redis: { type: 'string' },
      concurrency: { type: 'string', default: '1' },
      prefix: { type: 'string', default: DEFAULT_PREFIX },
      'lock-duration': { type: 'string', default: '30000' },
      'stalled-interval': { type: 'string', default: '30000' },
    },
  });
  const redisUrl = values.redis ?? process.env['REDIS_URL'];
  if (redisUrl === undefined || redisUrl === '') return usage(io, 'give --redis URL or set REDIS_URL');
  const concurrency = positive(values.concurrency);
  const lock = positive(values['lock-duration']);
  const stalled = positive(values['stalled-interval']);
  if (concurrency === undefined) return usage(io, '--concurrency must be a positive integer');
  if (lock === undefined || stalled === undefined) return usage(io, '--lock-duration and --stalled-interval are positive milliseconds');
  const worker = startWorker({
    redisUrl,
    prefix: values.prefix ?? DEFAULT_PREFIX,
    concurrency,
    lockDurationMs: lock,
    stalledIntervalMs: stalled,
    progressEveryMs: Math.min(500, Math.max(50, Math.floor(lock / 4))),
    log: (line) => io.err(line),
  });
  await worker.ready;
  io.err(`worker: ready (queue ${values.prefix}:simulate, concurrency ${concurrency}, pid ${process.pid})`);
  await Promise.race([once(process, 'SIGTERM'), once(process, 'SIGINT')]);
  io.err('worker: stopping, handing shards in progress back');
  await worker.stop();
  io.err('worker: stopped');
  return 0;
}

function positive(text: string | undefined): number | undefined {
  const n = Number(text);
  return text !== undefined && /^\d+$/.test(text) && n > 0 ? n : undefined;
}

function usage(io: IO, message: string): number {
  io.err(`refund-guard: ${message} (see refund-guard worker --help)`);
  return 2;
}
