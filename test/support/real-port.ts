import { serve } from '@hono/node-server';
import type { Server } from 'node:http';
import type { TestRuntime } from './runtime.js';

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
