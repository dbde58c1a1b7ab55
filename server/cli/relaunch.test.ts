import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'relaunch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A script that asks for a flag, then reports how it runs and ends with the status it is given. */
const script = join(dir, 'script.mts');
writeFileSync(
  script,
  `import { ensureNodeFlags } from ${JSON.stringify(new URL('./relaunch.ts', import.meta.url).href)};
   ensureNodeFlags(['--max-semi-space-size=32']);
   process.stdout.write(JSON.stringify({ execArgv: process.execArgv, args: process.argv.slice(2) }) + '\\n');
   process.exit(Number(process.argv[2]));`,
);
const run = (nodeArgs: string[], args: string[]) => spawnSync(process.execPath, [...nodeArgs, '--import', 'tsx', script, ...args], { encoding: 'utf8' });

describe('ensureNodeFlags', () => {
  it('runs the script again with the missing flag, the same arguments, and ends with its status', () => {
    const result = run([], ['3', 'two words']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(3);
    // Only the relaunched child reaches the line that writes: once, with the flag.
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const seen = JSON.parse(lines[0] as string) as { execArgv: string[]; args: string[] };
    expect(seen.execArgv).toContain('--max-semi-space-size=32');
    expect(seen.args).toEqual(['3', 'two words']);
  });

  it('carries on in the same process when the flag is already set', () => {
    const result = run(['--max-semi-space-size=32'], ['0']);
    expect(result.status).toBe(0);
    expect(result.stdout.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(result.stdout).execArgv.filter((a: string) => a.startsWith('--max-semi-space-size'))).toEqual(['--max-semi-space-size=32']);
  });
});
