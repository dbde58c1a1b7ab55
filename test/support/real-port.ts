import { serve } from '@hono/node-server';
import type { Server } from 'node:http';
import { startTestRuntime, type TestRuntime } from './runtime.js';

/** A test runtime's app on a real loopback port, for what only a socket shows (chunked bodies, limits). */
export async function listenOnFreePort(runtime: TestRuntime): Promise<{ port: number; close(): Promise<void> }> {
  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: runtime.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s as Server)) as Server;
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

interface SuiteHooks {
  beforeAll(fn: () => Promise<void>, timeout?: number): void;
  afterAll(fn: () => Promise<void>, timeout?: number): void;
}

/** A test runtime for one test file, listening on a free loopback port; closed and cleaned up after the file. */
export function runtimeOnPortForSuite(hooks: SuiteHooks): { readonly runtime: TestRuntime; readonly port: number } {
  let runtime: TestRuntime | undefined;
  let listening: Awaited<ReturnType<typeof listenOnFreePort>> | undefined;
  hooks.beforeAll(async () => {
    runtime = await startTestRuntime();
    listening = await listenOnFreePort(runtime);
  });
  hooks.afterAll(async () => {
    await listening?.close();
    await runtime?.cleanup();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('runtimeOnPortForSuite: used before its beforeAll ran');
    return value;
  };
  return {
    get runtime() {
      return started(runtime);
    },
    get port() {
      return started(listening).port;
    },
  };
}
