import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/** Runs only the browser-presence check of the HTML report's browser test in a nested vitest. */
async function browserCheck(env: Record<string, string | undefined>): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', 'test/simulator-html.test.ts', '--reporter=default', '-t', 'has the browser it needs'], {
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, output };
}

describe('a missing Chromium', () => {
  it('fails the run under CI=true, naming the browser and how to get it', async () => {
    const { code, output } = await browserCheck({ CI: 'true', RG_TEST_CHROMIUM: '/nonexistent/chromium' });
    expect(code).toBe(1);
    expect(output).toContain('/nonexistent/chromium is absent; install it with apt-get install -y chromium');
    expect(output).toMatch(/1 failed/);
  }, 60_000);

  it('skips the browser test, saying so, outside CI', async () => {
    const { code, output } = await browserCheck({ CI: undefined, RG_TEST_CHROMIUM: '/nonexistent/chromium' });
    expect(code).toBe(0);
    expect(output).toContain('simulator-html: skipped, /nonexistent/chromium is absent (apt-get install -y chromium)');
    expect(output).not.toMatch(/failed/);
  }, 60_000);
});
