import { parseArgs } from 'node:util';
import { processIO, UsageError, type CommandIO } from './io.js';

/** The policy commands load the whole engine (schemas, YAML, json-rules-engine): only when one runs, so `--help` starts fast. */
const policyCommands = () => import('./policy-commands.js');

const usage = `usage: refund-guard <command>

  serve [--policies DIR] [--port N] [--host H] [--redis URL] [--redis-prefix P] [--demo] [--no-watch]
  policy validate [PATH...]
  policy test [PATH...]
  policy compile FILE
  policy eval --policies DIR --point P --facts FILE [--engine compiled|reference] [--now ISO]
  history generate --orders N [--seed S] --out FILE
  simulate --history FILE --candidate DIR [--baseline DIR|git:REF] [--json F] [--html F] [--decisions F]
`;

type Command = (args: string[], io: CommandIO) => Promise<number> | number;

const commands: Record<string, Command> = {
  'policy validate': async (args, io) => (await policyCommands()).policyValidate(parseArgs({ args, allowPositionals: true, options: {} }).positionals, io),
  'policy test': async (args, io) => (await policyCommands()).policyTest(parseArgs({ args, allowPositionals: true, options: {} }).positionals, io),
  'policy compile': async (args, io) => {
    const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
    if (positionals.length !== 1) throw new UsageError('policy compile takes exactly one FILE');
    return (await policyCommands()).policyCompile(positionals[0]!, io);
  },
  'policy eval': async (args, io) => {
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
};

/** Extra commands registered by other parts (serve, history, simulate) without this file importing them eagerly. */
const lazyCommands: Record<string, () => Promise<Command>> = {
  serve: async () => (await import('./serve-command.js')).serveCommand,
  'history generate': async () => (await import('../../simulator/cli.js')).historyGenerateCommand,
  simulate: async () => (await import('../../simulator/cli.js')).simulateCommand,
  'simulate merge': async () => (await import('../../simulator/cli.js')).simulateMergeCommand,
};

export async function runCli(argv: string[], io: CommandIO = processIO): Promise<number> {
  const two = argv.slice(0, 2).join(' ');
  const one = argv[0] ?? '';
  try {
    if (commands[two]) return await commands[two](argv.slice(2), io);
    if (lazyCommands[two]) return await (await lazyCommands[two]())(argv.slice(2), io);
    if (lazyCommands[one]) return await (await lazyCommands[one]())(argv.slice(1), io);
    if (one === '' || one === 'help' || one === '--help' || one === '-h') {
      io.out(usage);
      return one === '' ? 2 : 0;
    }
    throw new UsageError(`unknown command: ${argv.join(' ')}`);
  } catch (err) {
    if (err instanceof UsageError || (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS'))) {
      io.err(`refund-guard: ${err.message}\n\n${usage}`);
      return 2;
    }
    throw err;
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.env['REFUND_GUARD_CLI'] === '1') {
  const argv = process.argv.slice(2);
  if (argv[0] === 'simulate' && argv[1] !== 'merge') {
    const [{ ensureNodeFlags }, { SIMULATE_NODE_FLAGS, simulateWantsNodeFlags }] = await Promise.all([import('./relaunch.js'), import('../../simulator/node-flags.js')]);
    if (simulateWantsNodeFlags(argv.slice(1))) ensureNodeFlags(SIMULATE_NODE_FLAGS);
  }
  process.exitCode = await runCli(argv);
}
