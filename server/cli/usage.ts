/**
 * Usage text of the commands main.ts parses itself (the policy commands) and of the command
 * groups. serve, history generate and simulate keep theirs beside their own parsers.
 */
const noteOnDefinitions = 'A directory without features.yaml or cohorts.yaml uses the shipped one (a note on stderr says so).';

export const policyUsage: Record<'validate' | 'test' | 'compile' | 'eval', string> = {
  validate: `usage: refund-guard policy validate [PATH...]

Checks policy directories or files (default: policies) and their *.test.yaml files.
Prints each problem as FILE:LINE:COL CODE MESSAGE; exit 1 if there is any.
${noteOnDefinitions}

  -h, --help     print this help
`,
  test: `usage: refund-guard policy test [PATH...]

Runs the cases of the *.test.yaml files in PATH (default: policies). The last line is "N passed, N failed"; exit 1 if any failed.
${noteOnDefinitions}

  -h, --help     print this help
`,
  compile: `usage: refund-guard policy compile FILE

Prints the json-rules-engine rules a policy file compiles to, as JSON.

  -h, --help     print this help
`,
  eval: `usage: refund-guard policy eval --policies DIR --point P --facts FILE [--engine compiled|reference] [--now ISO]

Evaluates one decision per line of FILE (JSON facts: {"account":{...},"merchant":{...},...}) and prints one decision JSON a line.
The throughput goes to stderr.

  --policies DIR                policy directory (default: policies)
  --point P                     decision point: refund.requested, refund.intervention, order.checkout or integrity.review
  --facts FILE                  NDJSON facts; a line's occurredAt sets its decision clock
  --engine compiled|reference   evaluator (default: compiled; reference = json-rules-engine)
  --now ISO                     decision clock for lines without occurredAt (default: now)
  -h, --help                    print this help
`,
};

export const groupUsage: Record<'policy' | 'history' | 'db' | 'features', string> = {
  policy: `usage: refund-guard policy <validate|test|compile|eval> ...

  validate [PATH...]      check policies and their test files
  test [PATH...]          run the *.test.yaml cases
  compile FILE            print the json-rules-engine rules of a policy
  eval --policies DIR --point P --facts FILE [--engine compiled|reference] [--now ISO]
                          one decision per line of facts

Run refund-guard policy <command> --help for its options.
`,
  history: `usage: refund-guard history <generate|export> ...

  generate --orders N [--seed S] --out FILE
                 write a synthetic, labelled history for the simulator
  export [--postgres URL] [--since DATE] [--labels outcomes] --out FILE
                 write PostgreSQL's event log as a history file

Run refund-guard history <command> --help for its options.
`,
  db: `usage: refund-guard db migrate [--postgres URL]

  migrate        apply the PostgreSQL schema migrations (the server also does at start)

Run refund-guard db migrate --help for its options.
`,
  features: `usage: refund-guard features rebuild [--postgres URL] [--redis URL] [--redis-prefix P] [--policies DIR]

  rebuild        rebuild the Redis feature cache from PostgreSQL's event log

Run refund-guard features rebuild --help for its options.
`,
};

export const dbMigrateUsage = `usage: refund-guard db migrate [--postgres URL]

Applies the PostgreSQL schema migrations that are not applied yet, under an advisory lock, so several
instances or a deploy step may run it at once.

  --postgres URL      the system of record (default: $DATABASE_URL)
  -h, --help          print this help
`;

export const featuresRebuildUsage = `usage: refund-guard features rebuild [--postgres URL] [--redis URL] [--redis-prefix P] [--policies DIR]

Rebuilds the Redis feature cache from PostgreSQL: the windowed events, restrictions, order marks and
merchants. A running server does the same by itself when it finds its cache lost.

  --postgres URL      the system of record (default: $DATABASE_URL)
  --redis URL         the cache to rebuild (default: $REDIS_URL)
  --redis-prefix P    key prefix in Redis (default: $REDIS_PREFIX or rg)
  --policies DIR      the policy directory whose features.yaml sets the windows (default: policies)
  -h, --help          print this help
`;

export const historyExportUsage = `usage: refund-guard history export [--postgres URL] [--since DATE] [--labels outcomes] --out FILE

Writes PostgreSQL's event log as an NDJSON history file, in time order, for simulate.

  --postgres URL      the system of record (default: $DATABASE_URL)
  --since DATE        only events at or after this date-time
  --labels outcomes   label refund and intervention requests from recorded outcomes (forged or
                      upheld: abuse; genuine or dismissed: legit)
  --out FILE          the history file to write
  -h, --help          print this help
`;

export const workerUsage = `usage: refund-guard worker [--redis URL] [--concurrency N] [--prefix P]

Runs the shards of distributed simulations (simulate --workers URL) from a BullMQ queue in Redis, until
SIGTERM or SIGINT, which hand the shards in progress back to the queue for another worker. Every worker
must read the history at the path the simulate command was given (a shared or copied file).

  --redis URL              the Redis the simulate command enqueues to (default: $REDIS_URL)
  --concurrency N          shards replayed at once by this process (default: 1)
  --prefix P               BullMQ key prefix (default: {sim}; the braces are the hash tag Redis Cluster needs)
  --lock-duration MS       how long a shard's lock outlives a worker that died (default: 30000)
  --stalled-interval MS    how often expired locks are looked for, and their shards put back (default: 30000)
  -h, --help               print this help
`;

/** Whether the arguments ask for help: -h or --help anywhere before a `--` that ends the options. */
export function wantsHelp(args: readonly string[]): boolean {
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).some((a) => a === '--help' || a === '-h');
}
