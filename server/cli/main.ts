import { parseArgs } from 'node:util';
import { processIO, UsageError, type CommandIO } from './io.js';
import { dbMigrateUsage, featuresRebuildUsage, groupUsage, historyExportUsage, policyUsage, wantsHelp, workerUsage } from './usage.js';

/** The policy commands load the whole engine (schemas, YAML, json-rules-engine): only when one runs, so `--help` starts fast. */
const policyCommands = () => import('./policy-commands.js');

const usage = `usage: refund-guard <command>

  serve [--policies DIR] [--port N] [--host H] [--redis URL] [--redis-prefix P] [--postgres URL] [--demo] [--no-watch] [--clock-skew-seconds S]
  db migrate [--postgres URL]
  features rebuild [--postgres URL] [--redis URL] [--redis-prefix P] [--policies DIR]
  policy validate [PATH...]
  policy test [PATH...]
  policy compile FILE
  policy eval --policies DIR --point P --facts FILE [--engine compiled|reference] [--now ISO]
  history generate --orders N [--seed S] --out FILE
  history export [--postgres URL] [--since DATE] [--labels outcomes] --out FILE
  simulate --history FILE|postgres://… --candidate DIR [--baseline DIR|git:REF] [--json F] [--html F] [--decisions F] [--workers URL [--shards N]]
  simulate merge --out F REPORT.json...
  worker [--redis URL] [--concurrency N]

Run refund-guard <command> --help for a command's options.
`;

type Command = (args: string[], io: CommandIO) => Promise<number> | number;

/** A command and the help it prints for -h/--help (exit 0) instead of running. */
interface CommandEntry {
  usage: string;
  run: Command;
}

const commands: Record<string, CommandEntry> = {
  'policy validate': {
    usage: policyUsage.validate,
    run: async (args, io) => (await policyCommands()).policyValidate(parseArgs({ args, allowPositionals: true, options: {} }).positionals, io),
  },
  'policy test': {
    usage: policyUsage.test,
    run: async (args, io) => (await policyCommands()).policyTest(parseArgs({ args, allowPositionals: true, options: {} }).positionals, io),
  },
  'policy compile': {
    usage: policyUsage.compile,
    run: async (args, io) => {
      const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
      if (positionals.length !== 1) throw new UsageError('policy compile takes exactly one FILE');
      return (await policyCommands()).policyCompile(positionals[0]!, io);
    },
  },
  'policy eval': {
    usage: policyUsage.eval,
    run: async (args, io) => {
      const { values } = parseArgs({
        args,
        options: {
          policies: { type: 'string', default: 'policies' },
          point: { type: 'string' },
          facts: { type: 'string' },
          engine: { type: 'string', default: 'compiled' },
          now: { type: 'string' },
        },
      });
      if (!values.point || !values.facts) throw new UsageError('policy eval needs --point and --facts');
      if (values.engine !== 'compiled' && values.engine !== 'reference') throw new UsageError('--engine is compiled or reference');
      return (await policyCommands()).policyEval({ policies: values.policies, point: values.point, facts: values.facts, engine: values.engine, ...(values.now ? { now: values.now } : {}) }, io);
    },
  },
};

/** Extra commands registered by other parts (serve, history, simulate) without this file importing them eagerly. */
const lazyCommands: Record<string, () => Promise<CommandEntry>> = {
  serve: async () => {
    const m = await import('./serve-command.js');
    return { usage: m.serveUsage, run: m.serveCommand };
  },
  'db migrate': async () => ({ usage: dbMigrateUsage, run: (await import('./db-commands.js')).dbMigrateCommand }),
  'features rebuild': async () => ({ usage: featuresRebuildUsage, run: (await import('./postgres-commands.js')).featuresRebuildCommand }),
  'history export': async () => ({ usage: historyExportUsage, run: (await import('./postgres-commands.js')).historyExportCommand }),
  'history generate': async () => {
    const m = await import('../../simulator/cli.js');
    return { usage: m.historyGenerateUsage, run: m.historyGenerateCommand };
  },
  simulate: async () => {
    const m = await import('../../simulator/cli.js');
    // --history postgres://… reads the system of record's event log.
    return { usage: m.simulateUsage, run: (await import('./postgres-commands.js')).withPostgresHistory(m.simulateCommand) };
  },
  worker: async () => ({ usage: workerUsage, run: (await import('../../simulator/distributed/worker-command.js')).workerCommand }),
  'simulate merge': async () => {
    const m = await import('../../simulator/cli.js');
    return { usage: m.simulateMergeUsage, run: m.simulateMergeCommand };
  },
};

/** The command `argv` names (two words before one) and the arguments after its name. */
async function findCommand(argv: readonly string[]): Promise<{ entry: CommandEntry; args: string[] } | undefined> {
  const two = argv.slice(0, 2).join(' ');
  const one = argv[0] ?? '';
  if (commands[two]) return { entry: commands[two], args: argv.slice(2) };
  if (lazyCommands[two]) return { entry: await lazyCommands[two](), args: argv.slice(2) };
  if (commands[one]) return { entry: commands[one], args: argv.slice(1) };
  if (lazyCommands[one]) return { entry: await lazyCommands[one](), args: argv.slice(1) };
  return undefined;
}

function isGroup(name: string): name is keyof typeof groupUsage {
  return Object.hasOwn(groupUsage, name);
}

export async function runCli(argv: string[], io: CommandIO = processIO): Promise<number> {
  const one = argv[0] ?? '';
  /** Once the command is known, a usage error shows its usage rather than the list of commands. */
  let commandUsage = usage;
  try {
    const found = await findCommand(argv);
    if (found) {
      commandUsage = found.entry.usage;
      if (wantsHelp(found.args)) {
        io.out(found.entry.usage);
        return 0;
      }
      return await found.entry.run(found.args, io);
    }
    if (isGroup(one)) {
      // `policy` alone is a usage error; `policy --help` asks for the list of its commands.
      if (wantsHelp(argv.slice(1))) {
        io.out(groupUsage[one]);
        return 0;
      }
      throw new UsageError(argv.length === 1 ? `${one} needs a command` : `unknown command: ${argv.join(' ')}`, groupUsage[one]);
    }
    if (one === 'help') {
      // `help simulate merge` = `simulate merge --help`
      if (argv.length === 1) {
        io.out(usage);
        return 0;
      }
      return await runCli([...argv.slice(1), '--help'], io);
    }
    if (one === '' || one === '--help' || one === '-h') {
      io.out(usage);
      return one === '' ? 2 : 0;
    }
    throw new UsageError(`unknown command: ${argv.join(' ')}`);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`refund-guard: ${err.message}\n\n${err.usage ?? commandUsage}`);
      return 2;
    }
    if (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS')) {
      io.err(`refund-guard: ${err.message}\n\n${commandUsage}`);
      return 2;
    }
    throw err;
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.env['REFUND_GUARD_CLI'] === '1') {
  const argv = process.argv.slice(2);
  if (argv[0] === 'simulate' && argv[1] !== 'merge' && !wantsHelp(argv)) {
    const [{ ensureNodeFlags }, { SIMULATE_NODE_FLAGS, simulateWantsNodeFlags }] = await Promise.all([import('./relaunch.js'), import('../../simulator/node-flags.js')]);
    if (simulateWantsNodeFlags(argv.slice(1))) ensureNodeFlags(SIMULATE_NODE_FLAGS);
  }
  if (argv[0] === 'worker' && !wantsHelp(argv)) {
    // A worker replays shards of any size: it runs with the replay's flags (the relaunch costs once, at start).
    const [{ ensureNodeFlags }, { SIMULATE_NODE_FLAGS }] = await Promise.all([import('./relaunch.js'), import('../../simulator/node-flags.js')]);
    ensureNodeFlags(SIMULATE_NODE_FLAGS);
  }
  process.exitCode = await runCli(argv);
}
