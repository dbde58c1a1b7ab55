import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { formatProblem } from '../../engine/index.js';
import { BundleHolder } from '../policies/bundle-holder.js';
import { CacheRebuilder, type RebuildProgress } from '../postgres/cache-rebuild.js';
import { maxWindowDays, redisSentinel } from '../postgres/cache-wiring.js';
import { historyLines, PgEventLog } from '../postgres/event-log.js';
import { migrate } from '../postgres/migrate.js';
import { labelLine, outcomeLabels } from '../postgres/outcome-labels.js';
import { createPool } from '../postgres/pool.js';
import { RedisAccountStore } from '../stores/redis-account-state.js';
import { RedisFeatureStore } from '../stores/redis-feature-store.js';
import { RedisMerchantStore } from '../stores/redis-merchant-store.js';
import { postgresUrlOf } from './db-commands.js';
import { UsageError, type CommandIO } from './io.js';

/** `refund-guard features rebuild`: refills the Redis cache from PostgreSQL by hand (the server does it by itself on a detected loss). */
export async function featuresRebuildCommand(args: string[], io: CommandIO): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { postgres: { type: 'string' }, redis: { type: 'string' }, 'redis-prefix': { type: 'string' }, policies: { type: 'string', default: 'policies' } },
  });
  const redisUrl = values.redis ?? process.env['REDIS_URL'];
  if (redisUrl === undefined || redisUrl === '') throw new UsageError('give --redis URL or set REDIS_URL');
  const prefix = values['redis-prefix'] ?? process.env['REDIS_PREFIX'] ?? 'rg';
  const opened = BundleHolder.open(values.policies);
  if (!opened.ok) {
    io.err(`refund-guard: the policy bundle in ${values.policies} does not load:\n${opened.problems.map(formatProblem).join('\n')}`);
    return 1;
  }
  const definitions = opened.holder.bundle.features;
  opened.holder.close();
  const pool = createPool(postgresUrlOf(values.postgres), { max: 4 });
  const client = new Redis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
  client.on('error', () => undefined);
  const features = new RedisFeatureStore(client, definitions, { prefix, timeoutMs: 30_000 });
  try {
    await client.connect();
    await migrate(pool);
    const rebuilder = new CacheRebuilder(pool, new PgEventLog(pool), { features, state: new RedisAccountStore(client, features, prefix, Date.now), merchants: new RedisMerchantStore(client, prefix) }, redisSentinel(client, prefix), {
      windowDays: maxWindowDays(definitions),
      now: Date.now,
    });
    let lastReport = 0;
    const report = (p: RebuildProgress) => {
      if (Date.now() - lastReport < 1000) return;
      lastReport = Date.now();
      io.err(`${p.phase}: ${p.eventsApplied} of ${p.eventsTotal} events`);
    };
    const result = await rebuilder.rebuild(report);
    const rate = result.ms > 0 ? Math.round((result.events * 1000) / result.ms) : result.events;
    io.out(`rebuilt ${result.events} events, ${result.restrictions} restrictions, ${result.orderMarks} order marks, ${result.merchants} merchants in ${result.ms} ms (${rate} events/s)`);
    return 0;
  } catch (err) {
    io.err(`refund-guard: features rebuild: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  } finally {
    await features.close().catch(() => undefined);
    client.disconnect();
    await pool.end().catch(() => undefined);
  }
}

/** `refund-guard history export`: the event log as a history file the simulator replays. */
export async function historyExportCommand(args: string[], io: CommandIO): Promise<number> {
  const { values } = parseArgs({ args, options: { postgres: { type: 'string' }, since: { type: 'string' }, out: { type: 'string' }, labels: { type: 'string' } } });
  if (values.out === undefined) throw new UsageError('history export needs --out FILE');
  if (values.labels !== undefined && values.labels !== 'outcomes') throw new UsageError(`--labels takes "outcomes", got ${values.labels}`);
  if (values.since !== undefined && Number.isNaN(Date.parse(values.since))) throw new UsageError(`--since must be a date or date-time, got ${values.since}`);
  const pool = createPool(postgresUrlOf(values.postgres), { max: 1 });
  const out = createWriteStream(values.out);
  let count = 0;
  try {
    const labels = values.labels === 'outcomes' ? await outcomeLabels(pool) : undefined;
    for await (const page of historyLines(pool, values.since)) {
      const lines = labels === undefined ? page : page.map((line) => labelLine(line, labels));
      count += lines.length;
      if (!out.write(`${lines.join('\n')}\n`)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
    io.err(`exported ${count} events to ${values.out}`);
    return 0;
  } catch (err) {
    out.destroy();
    io.err(`refund-guard: history export: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  } finally {
    await pool.end().catch(() => undefined);
  }
}

const postgresUrlPattern = /^postgres(ql)?:\/\//;

/**
 * `simulate --history postgres://…`: the log is exported (with outcome labels) to a temporary
 * history file and the simulator replays that, so the simulator itself stays free of PostgreSQL.
 */
export function withPostgresHistory(simulate: (args: string[], io: CommandIO) => Promise<number> | number): (args: string[], io: CommandIO) => Promise<number> {
  return async (args, io) => {
    const at = args.findIndex((a) => a === '--history' || a.startsWith('--history='));
    const value = at < 0 ? undefined : args[at]!.startsWith('--history=') ? args[at]!.slice('--history='.length) : args[at + 1];
    if (value === undefined || !postgresUrlPattern.test(value)) return simulate(args, io);
    const dir = mkdtempSync(join(tmpdir(), 'rg-history-'));
    try {
      const file = join(dir, 'history.ndjson');
      const exported = await historyExportCommand(['--postgres', value, '--labels', 'outcomes', '--out', file], io);
      if (exported !== 0) return exported;
      const rest = args[at]!.startsWith('--history=') ? [...args.slice(0, at), `--history=${file}`, ...args.slice(at + 1)] : [...args.slice(0, at), '--history', file, ...args.slice(at + 2)];
      return await simulate(rest, io);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}
