/**
 * The `--workers URL` branch of `refund-guard simulate`: the same outputs and exit codes as a single
 * run (1 for a bad line under --strict or an unreadable history), 130 when cancelled with Ctrl-C.
 */
import type { SideLoad } from '../policies/load-sides.js';
import { ProgressLine } from '../progress.js';
import { writeReport, type ReportTargets } from '../write-report.js';
import { simulateOnWorkers } from './coordinator.js';
import { DEFAULT_PREFIX } from './protocol.js';

type LoadedSide = SideLoad & { ok: true };

export interface WorkersRun {
  redisUrl: string;
  shards: number;
  prefix: string | undefined;
  strict: boolean;
  targets: ReportTargets;
}

export async function simulateOnWorkersCommand(run: WorkersRun, baseline: LoadedSide, candidate: LoadedSide, io: { out(text: string): void; err(text: string): void }): Promise<number> {
  const progress = new ProgressLine();
  const cancel = new AbortController();
  const onSigint = () => cancel.abort();
  process.once('SIGINT', onSigint);
  try {
    const outcome = await simulateOnWorkers({
      redisUrl: run.redisUrl,
      prefix: run.prefix ?? DEFAULT_PREFIX,
      shards: run.shards,
      history: run.targets.history,
      strict: run.strict,
      baseline,
      candidate,
      log: (line) => {
        progress.done();
        io.err(line);
      },
      progress: (bytes, total, events) => progress.update(bytes, total, events),
      signal: cancel.signal,
    });
    progress.done();
    if (!outcome.ok) {
      const { failure, shard } = outcome;
      if (failure.code === 'bad_line') {
        io.err(`${failure.message}\n(--strict: stopped at the first bad line)`);
        return 1;
      }
      if (failure.code === 'cancelled') {
        io.err('refund-guard: simulation cancelled');
        return 130;
      }
      io.err(`refund-guard: the run failed${shard === undefined ? '' : ` in shard ${shard + 1}`}: ${failure.code}: ${failure.message}`);
      return 1;
    }
    await writeReport(outcome.report, run.targets, baseline, candidate, io);
    return 0;
  } catch (err) {
    progress.done();
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') {
      io.err(`refund-guard: cannot read history ${run.targets.history}: ${(err as Error).message}`);
      return 1;
    }
    throw err;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}
