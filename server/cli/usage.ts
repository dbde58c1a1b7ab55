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

export const groupUsage: Record<'policy' | 'history', string> = {
  policy: `usage: refund-guard policy <validate|test|compile|eval> ...

  validate [PATH...]      check policies and their test files
  test [PATH...]          run the *.test.yaml cases
  compile FILE            print the json-rules-engine rules of a policy
  eval --policies DIR --point P --facts FILE [--engine compiled|reference] [--now ISO]
                          one decision per line of facts

Run refund-guard policy <command> --help for its options.
`,
  history: `usage: refund-guard history generate --orders N [--seed S] --out FILE

  generate       write a synthetic, labelled history for the simulator

Run refund-guard history generate --help for its options.
`,
};

/** Whether the arguments ask for help: -h or --help anywhere before a `--` that ends the options. */
export function wantsHelp(args: readonly string[]): boolean {
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).some((a) => a === '--help' || a === '-h');
}
