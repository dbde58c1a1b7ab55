/**
 * The README's tour must run as written: every `npx refund-guard` and `cp` line of its shell
 * blocks runs, in order, from the repository's root, with /tmp/ swapped for a directory of the
 * test's own so runs never share files.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const scratch = mkdtempSync(join(tmpdir(), 'readme-tour-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The lines of the README's ```sh blocks that run locally (no server, no placeholders). */
function tourCommands(markdown: string): string[] {
  const blocks = [...markdown.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
  return blocks
    .flatMap((block) => block.split('\n'))
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter((line) => line.startsWith('npx refund-guard') || line.startsWith('cp '));
}

describe('the README tour', () => {
  const commands = tourCommands(readFileSync('README.md', 'utf8'));

  it('names the commands a newcomer runs: validate, test, generate, simulate', () => {
    const verbs = commands.map((c) => c.split(/\s+/).slice(2, 4).join(' '));
    expect(verbs).toEqual(expect.arrayContaining(['policy validate', 'policy test', 'history generate', 'simulate --history']));
  });

  it('runs every command as written, and the simulation writes its HTML report', () => {
    for (const command of commands) {
      const local = command.replaceAll('/tmp/', `${scratch}/`);
      try {
        execFileSync('bash', ['-c', local], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', timeout: 120_000 });
      } catch (error) {
        const e = error as { status?: number; stderr?: string };
        throw new Error(`\`${command}\` exited ${e.status}: ${e.stderr ?? ''}`);
      }
    }
    const html = join(scratch, 'report.html');
    expect(existsSync(html)).toBe(true);
    expect(readFileSync(html, 'utf8')).toContain('<svg');
  }, 180_000);
});
