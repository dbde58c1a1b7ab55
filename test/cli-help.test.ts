import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runCli } from '../server/cli/main.js';

const run = promisify(execFile);
/** The installed `refund-guard` binary, as package.json declares it. */
const bin = (JSON.parse(readFileSync('package.json', 'utf8')) as { bin: Record<string, string> }).bin['refund-guard']!;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(args: string[]): Promise<Result> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], { timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** Every command and command group, with the usage line its help starts with. */
const commands: [args: string[], usage: string][] = [
  [[], 'usage: refund-guard <command>'],
  [['serve'], 'usage: refund-guard serve '],
  [['policy'], 'usage: refund-guard policy <validate|test|compile|eval>'],
  [['policy', 'validate'], 'usage: refund-guard policy validate [PATH...]'],
  [['policy', 'test'], 'usage: refund-guard policy test [PATH...]'],
  [['policy', 'compile'], 'usage: refund-guard policy compile FILE'],
  [['policy', 'eval'], 'usage: refund-guard policy eval --policies DIR'],
  [['history'], 'usage: refund-guard history <generate|export>'],
  [['history', 'export'], 'usage: refund-guard history export'],
  [['db'], 'usage: refund-guard db migrate'],
  [['db', 'migrate'], 'usage: refund-guard db migrate [--postgres URL]'],
  [['features'], 'usage: refund-guard features rebuild'],
  [['features', 'rebuild'], 'usage: refund-guard features rebuild [--postgres URL]'],
  [['history', 'generate'], 'usage: refund-guard history generate --orders N'],
  [['simulate'], 'usage: refund-guard simulate --history FILE'],
  [['simulate', 'merge'], 'usage: refund-guard simulate merge --out F'],
  [['worker'], 'usage: refund-guard worker [--redis URL]'],
];

/** Runs at most `limit` CLI processes at once: the machine has two shared cores. */
async function inBatches<T, R>(items: readonly T[], limit: number, f: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += limit) results.push(...(await Promise.all(items.slice(i, i + limit).map(f))));
  return results;
}

describe('refund-guard <command> --help, run as the installed binary', () => {
  it('prints the usage of every command and subcommand on stdout with exit 0', async () => {
    const cases = commands.map(([args, usage]) => ({ args: [...args, '--help'], usage }));
    const results = await inBatches(cases, 4, async (c) => ({ ...c, result: await cli(c.args) }));
    for (const { args, usage, result } of results) {
      const label = `refund-guard ${args.join(' ')}`;
      expect(result.code, `${label}: ${result.stderr}`).toBe(0);
      expect(result.stdout.startsWith(usage), `${label} printed:\n${result.stdout}`).toBe(true);
      expect(result.stderr, label).toBe('');
    }
  }, 240_000);

  it('answers -h as --help for every command (in process: the same dispatcher the binary runs)', async () => {
    for (const [args, usage] of commands) {
      let out = '';
      let err = '';
      const code = await runCli([...args, '-h'], { out: (t) => void (out += t), err: (t) => void (err += t) });
      expect(code, `${args.join(' ')} -h: ${err}`).toBe(0);
      expect(out.startsWith(usage), `${args.join(' ')} -h printed:\n${out}`).toBe(true);
      expect(err).toBe('');
    }
  });

  it('prints help for a command even with its other arguments, and `help CMD` does the same', async () => {
    const results = await inBatches(
      [
        ['simulate', '--history', 'no-such-file.ndjson', '--help'],
        ['serve', '--port', '1', '-h'],
        ['help', 'simulate', 'merge'],
      ],
      3,
      cli,
    );
    expect(results.map((r) => r.code)).toEqual([0, 0, 0]);
    expect(results[0]!.stdout).toMatch(/^usage: refund-guard simulate --history/);
    expect(results[1]!.stdout).toMatch(/^usage: refund-guard serve/);
    expect(results[2]!.stdout).toMatch(/^usage: refund-guard simulate merge/);
  }, 120_000);

  it('still refuses unknown options and missing commands with exit 2 and the usage of the command on stderr', async () => {
    const [unknown, bare] = await inBatches([['policy', 'eval', '--bogus'], ['policy']], 2, cli);
    expect(unknown!.code).toBe(2);
    expect(unknown!.stderr).toContain("Unknown option '--bogus'");
    expect(unknown!.stderr).toContain('usage: refund-guard policy eval');
    expect(bare!.code).toBe(2);
    expect(bare!.stderr).toContain('usage: refund-guard policy <validate|test|compile|eval>');
  }, 120_000);
});
