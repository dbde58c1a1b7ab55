import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The prebuilt CLI (scripts/build.mjs, run by `npm ci` through `prepare`): the bin runs dist/ when it
 * is current, compiling nothing, in the main thread and in worker threads alike, with the same
 * results as the sources through tsx; a build older than the sources is not used.
 */
const bin = 'server/cli/bin.mjs';
const builtMain = 'dist/server/cli/main.js';
let dir = '';

/** The CLI's run with the module URLs it loaded (NODE_DEBUG=esm) and the workers it started (NODE_DEBUG=worker). */
function run(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', maxBuffer: 256 << 20, env: { ...process.env, NODE_DEBUG: 'esm,worker', ...env } });
  const modules = new Set([...result.stderr.matchAll(/file:\/\/[^\s'",]+/g)].map((m) => m[0]));
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, modules: [...modules] };
}

beforeAll(() => {
  const build = spawnSync(process.execPath, ['scripts/build.mjs'], { encoding: 'utf8' });
  expect(build.status, build.stderr).toBe(0);
  dir = mkdtempSync(join(tmpdir(), 'rg-cli-build-'));
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the prebuilt CLI', () => {
  it('answers --help from dist/ alone: no tsx, and no engine module loaded', () => {
    const { status, stdout, modules } = run(['--help']);
    expect(status).toBe(0);
    expect(stdout).toContain('usage: refund-guard');
    expect(modules.some((m) => m.includes('/dist/server/cli/main.js'))).toBe(true);
    expect(modules.filter((m) => m.includes('tsx') || m.endsWith('.ts'))).toEqual([]);
    expect(modules.filter((m) => m.includes('/engine/'))).toEqual([]);
  });

  it('simulates with its feature thread on the built modules, with the report the sources give', () => {
    const history = join(dir, 'history.ndjson');
    // Over 16 MiB (about 58k orders), where a replay keeps features in a worker thread.
    expect(run(['history', 'generate', '--orders', '70000', '--seed', 'cli-build', '--out', history]).status).toBe(0);
    expect(statSync(history).size).toBeGreaterThan(16 << 20);
    const built = run(['simulate', '--history', history, '--candidate', 'policies', '--json', join(dir, 'built.json')]);
    expect(built.status, built.stderr).toBe(0);
    expect(built.modules.filter((m) => m.includes('tsx') || m.endsWith('.ts'))).toEqual([]);
    // The worker named as feature-thread.ts beside its source runs as the built .js.
    expect(built.stderr).toMatch(/module: 'file:\/\/[^']*\/dist\/simulator\/replay\/feature-thread\.js'/);
    const source = run(['simulate', '--history', history, '--candidate', 'policies', '--json', join(dir, 'source.json')], { REFUND_GUARD_FROM_SOURCE: '1' });
    expect(source.status, source.stderr).toBe(0);
    expect(source.modules.some((m) => m.endsWith('/server/cli/main.ts'))).toBe(true);
    const report = (file: string): unknown => JSON.parse(readFileSync(join(dir, file), 'utf8'));
    expect(report('built.json')).toEqual(report('source.json'));
    expect((report('built.json') as { history: { decisions: number } }).history.decisions).toBeGreaterThan(1000);
  }, 240_000);

  it('serves the console pages and their static files from dist/ (the .tsx pages and the assets are built too)', async () => {
    const server = spawn(process.execPath, [bin, 'serve', '--port', '0', '--no-watch'], { env: { ...process.env, REDIS_URL: '', DATABASE_URL: '', REFUND_GUARD_TOKENS: '' }, stdio: ['ignore', 'ignore', 'pipe'] });
    try {
      let stderr = '';
      const base = await new Promise<string>((resolve, reject) => {
        server.stderr.on('data', (chunk: Buffer) => {
          stderr += chunk.toString();
          const url = /listening on (http:\/\/\S+)/.exec(stderr)?.[1];
          if (url) resolve(url);
        });
        server.once('exit', (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
      });
      const login = await fetch(`${base}/console/login`);
      expect(login.status).toBe(200);
      expect(await login.text()).toContain('Sign in');
      for (const asset of ['console.css', 'console.js']) expect((await fetch(`${base}/console/static/${asset}`)).status, asset).toBe(200);
    } finally {
      server.kill('SIGTERM');
    }
  }, 60_000);

  it('borrows the shipped features.yaml for a draft directory, as the sources do', () => {
    const draft = join(dir, 'draft');
    mkdirSync(draft, { recursive: true });
    copyFileSync('policies/intercept-abnormal-fast-refund.yaml', join(draft, 'intercept-abnormal-fast-refund.yaml'));
    const { status, stderr, modules } = run(['policy', 'validate', draft]);
    expect(status, stderr).toBe(0);
    expect(modules.some((m) => m.includes('/dist/engine/'))).toBe(true);
    expect(stderr).toContain(`using the shipped definitions in ${process.cwd()}/policies/features.yaml`);
  });

  it('is not used once a source is newer than it: the bin runs the sources then', () => {
    const builtAt = statSync(builtMain).mtime;
    try {
      utimesSync(builtMain, new Date(0), new Date(0));
      const { status, modules } = run(['--help']);
      expect(status).toBe(0);
      expect(modules.some((m) => m.endsWith('/server/cli/main.ts'))).toBe(true);
      expect(modules.some((m) => m.startsWith(`file://${process.cwd()}/dist/`))).toBe(false);
    } finally {
      utimesSync(builtMain, builtAt, builtAt);
    }
  });
});
