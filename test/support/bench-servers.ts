/** Servers the benchmarks start as child processes, and their teardown. */
import { spawn, type ChildProcess } from 'node:child_process';
import { deleteKeys } from './redis-keys.js';

/** Starts `node ARGS` (LOG_LEVEL=warn plus `env`) and resolves once it says it is ready or listening. */
export function startServer(args: string[], env: Record<string, string> = {}): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const onData = (chunk: Buffer): void => {
      if (/ready|listening/i.test(chunk.toString())) resolve(child);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server exited early (${code})`)));
  });
}

/** SIGTERM to each server, half a second to flush and exit, then the run's Redis keys go. */
export async function stopServers(servers: readonly ChildProcess[], prefix: string): Promise<void> {
  for (const server of servers) server.kill('SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, 500));
  await deleteKeys(prefix);
}
