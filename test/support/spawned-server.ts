import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from './own-redis.js';

export interface SpawnedServer {
  child: ChildProcess;
  port: number;
  baseUrl: string;
  /** Everything written to stderr so far. */
  stderr(): string;
  exited: Promise<number | null>;
}

/** `refund-guard serve` in a child process on a free port, resolved once it listens. */
export async function spawnServer(args: string[], env: Record<string, string> = {}): Promise<SpawnedServer> {
  const port = await freePort();
  const child = spawn(process.execPath, ['server/cli/bin.mjs', 'serve', '--port', String(port), '--no-watch', ...args], {
    env: { ...process.env, REFUND_GUARD_TOKENS: '', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout!.resume();
  // 'close', not 'exit': by then everything the child wrote to stderr has been read.
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${stderr}`)), 20_000);
    const check = () => {
      if (stderr.includes('listening')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stderr!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}: ${stderr}`));
    });
  });
  return { child, port, baseUrl: `http://127.0.0.1:${port}`, stderr: () => stderr, exited };
}
