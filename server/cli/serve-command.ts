import { parseArgs } from 'node:util';
import { serve } from '@hono/node-server';
import type { Server } from 'node:http';
import { parseTokens, TokenSpecError } from '../http/tokens.js';
import { createLogger } from '../observability/logger.js';
import { ClusterNodesError, parseClusterNodes } from '../stores/redis/redis-target.js';
import { createRuntime, StartupError } from '../runtime/create-runtime.js';
import { consoleHint, exampleRequests, loadDemoData } from './demo-data.js';
import { UsageError, type CommandIO } from './io.js';

const loopback = new Set(['127.0.0.1', 'localhost', '::1']);

export const serveUsage = `usage: refund-guard serve [--policies DIR] [--port N] [--host H] [--redis URL | --redis-cluster HOST:PORT,...] [--redis-prefix P] [--postgres URL] [--demo] [--no-watch] [--clock-skew-seconds S]

Runs the decision server until SIGTERM or SIGINT.

  --policies DIR      policy directory to serve and watch (default: policies)
  --port N            port to listen on (default: $PORT or 8787; 0 picks a free one)
  --host H            address to bind (default: 127.0.0.1; any other needs REFUND_GUARD_TOKENS)
  --redis URL         Redis for features and state (default: $REDIS_URL; neither: in-memory store)
  --redis-cluster N   Redis Cluster seed nodes HOST:PORT,HOST:PORT,... instead of --redis (default: $REDIS_CLUSTER_NODES)
  --redis-prefix P    key prefix in Redis (default: $REDIS_PREFIX or rg)
  --postgres URL      PostgreSQL, the system of record (default: $DATABASE_URL; neither: the cache holds the only copy)
  --demo              load demo merchants and history, and print example requests
  --no-watch          do not reload when the policy directory changes
  --clock-skew-seconds S  how far a service-role decision's occurredAt may lie from the server clock (default: 300)
  -h, --help          print this help
`;

/** `refund-guard serve`: the decision server. No --redis/REDIS_URL: the in-memory store. */
export async function serveCommand(args: string[], io: CommandIO): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      policies: { type: 'string', default: 'policies' },
      port: { type: 'string', default: process.env['PORT'] ?? '8787' },
      host: { type: 'string', default: '127.0.0.1' },
      redis: { type: 'string' },
      'redis-cluster': { type: 'string' },
      postgres: { type: 'string' },
      'redis-prefix': { type: 'string' },
      demo: { type: 'boolean', default: false },
      'no-watch': { type: 'boolean', default: false },
      // How far a service-role decision's occurredAt may lie from this server's clock.
      'clock-skew-seconds': { type: 'string', default: process.env['REFUND_GUARD_CLOCK_SKEW_SECONDS'] ?? '300' },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0-65535, got ${values.port}`);
  const tokens = process.env['REFUND_GUARD_TOKENS'];
  // The bind guard asks the parser, not the raw text: "," is set, but holds no token, and is refused here.
  let open: boolean;
  try {
    open = parseTokens(tokens).open;
  } catch (err) {
    if (!(err instanceof TokenSpecError)) throw err;
    io.err(`refund-guard: ${err.message}`);
    return 2;
  }
  if (open && !loopback.has(values.host)) {
    io.err(`refund-guard: refusing to bind ${values.host} without tokens; set REFUND_GUARD_TOKENS (role:token or role:name:token, comma-separated) or bind 127.0.0.1`);
    return 2;
  }
  const skewSeconds = Number(values['clock-skew-seconds']);
  if (!Number.isFinite(skewSeconds) || skewSeconds < 0) throw new UsageError(`--clock-skew-seconds must be a number of seconds >= 0, got ${values['clock-skew-seconds']}`);
  if (values['redis-cluster'] !== undefined && values.redis !== undefined) throw new UsageError('give --redis or --redis-cluster, not both');
  // A flag wins over the environment: --redis URL with REDIS_CLUSTER_NODES set uses the URL.
  const clusterSpec = values['redis-cluster'] ?? (values.redis === undefined ? process.env['REDIS_CLUSTER_NODES'] : undefined);
  let redisCluster: string[] | undefined;
  if (clusterSpec !== undefined && clusterSpec !== '') {
    try {
      redisCluster = parseClusterNodes(clusterSpec).map((n) => `${n.host}:${n.port}`);
    } catch (err) {
      if (!(err instanceof ClusterNodesError)) throw err;
      throw new UsageError(`--redis-cluster: ${err.message}`);
    }
  }
  // A cluster (flag or environment) is the cache: REDIS_URL is then not used.
  const redisUrl = redisCluster === undefined ? (values.redis ?? process.env['REDIS_URL']) : undefined;
  const postgresUrl = values.postgres ?? process.env['DATABASE_URL'];
  const logger = createLogger();
  let runtime;
  try {
    runtime = await createRuntime({
      policies: values.policies,
      ...(redisUrl ? { redisUrl } : {}),
      ...(redisCluster ? { redisCluster } : {}),
      ...(postgresUrl ? { postgresUrl } : {}),
      redisPrefix: values['redis-prefix'] ?? process.env['REDIS_PREFIX'] ?? 'rg',
      ...(tokens !== undefined ? { tokens } : {}),
      clockLimits: { decisionSkewMs: skewSeconds * 1000 },
      logger,
      watchPolicies: !values['no-watch'],
    });
  } catch (err) {
    if (err instanceof StartupError || err instanceof TokenSpecError) {
      io.err(`refund-guard: ${err.message}`);
      return 1;
    }
    throw err;
  }
  let server: Server;
  try {
    server = await new Promise<Server>((resolve, reject) => {
      const s = serve({ fetch: runtime.app.fetch, port, hostname: values.host }, () => resolve(s as Server)) as Server;
      s.once('error', reject);
    });
  } catch (err) {
    await runtime.close();
    io.err(`refund-guard: cannot listen on ${values.host}:${port}: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  const baseUrl = `http://${values.host.includes(':') ? `[${values.host}]` : values.host}:${actualPort}`;
  io.err(`refund-guard listening on ${baseUrl} (store: ${runtime.ctx.storeKind}, policies: ${values.policies}, revision ${runtime.ctx.bundles.bundle.revision})`);
  io.err(systemOfRecordNotice(runtime.ctx.storeKind, runtime.ctx.systemOfRecord));
  if (open) io.err('no REFUND_GUARD_TOKENS configured: bound to loopback only, answering only loopback Host names, and every caller has the admin role');
  if (values.demo) {
    const demo = await loadDemoData(runtime);
    io.err(`demo data loaded: ${demo.events} events (${demo.orders} orders) up to ${demo.lastEventAt ?? 'now'}`);
    io.out(`\nReady. Try:\n\n${exampleRequests(baseUrl, demo)}\n`);
    io.out(`${consoleHint(baseUrl, open)}\n`);
  }
  installShutdown(server, runtime.close, io);
  return new Promise<number>(() => {}); // runs until a signal
}

/** SIGTERM/SIGINT: stop accepting, let in-flight requests finish, flush the log, close Redis, exit 0 within 5 s. */
function installShutdown(server: Server, close: () => Promise<void>, io: CommandIO): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    io.err(`refund-guard: ${signal} received, shutting down`);
    const deadline = setTimeout(() => process.exit(0), 4500);
    deadline.unref();
    server.close(() => {
      void close().finally(() => process.exit(0));
    });
    // Keep-alive connections go idle as their last response is written; close each one then.
    server.closeIdleConnections();
    setInterval(() => server.closeIdleConnections(), 25).unref();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

/** Where the data that must not be lost lives, said once at start. */
export function systemOfRecordNotice(store: 'redis' | 'memory', systemOfRecord: 'postgres' | 'none'): string {
  if (systemOfRecord === 'postgres') return `system of record: PostgreSQL (every write is committed there first; ${store === 'redis' ? 'Redis' : 'the in-memory store'} is a rebuildable cache)`;
  if (store === 'redis') return 'no --postgres/DATABASE_URL: Redis holds the only copy of events, cases, restrictions and the audit trail; losing Redis data loses them';
  return 'no --postgres/DATABASE_URL: in-memory store, nothing survives a restart';
}
