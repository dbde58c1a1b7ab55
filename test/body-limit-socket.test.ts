import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postChunked } from './support/raw-http.js';
import { runtimeOnPortForSuite } from './support/real-port.js';
import { tokens } from './support/runtime.js';

/** Issue 19 item 4: the body limit holds while a chunked body streams in, over a real socket. */
const suite = runtimeOnPortForSuite({ beforeAll, afterAll });

const MiB = 1024 * 1024;

describe('a chunked body', () => {
  it('is refused with 413 once about 1 MiB is read, long before 64 MiB are sent', async () => {
    const padding = Buffer.alloc(64 * 1024, 'a');
    const result = await postChunked(suite.port, '/v1/events', { 'content-type': 'application/json', authorization: `Bearer ${tokens.service}` }, padding, 64 * MiB);
    expect(result.status).toBe(413);
    expect(result.response).toContain('"code":"payload_too_large"');
    // Socket buffers on both sides hold a few MiB at most; reading everything would take all 64.
    expect(result.sent).toBeLessThan(8 * MiB);
  }, 30_000);

  it('under the limit is read and answered as usual', async () => {
    const body = new TextEncoder().encode(JSON.stringify({ point: 'order.checkout', account: { id: 'a-chunked' }, merchant: { id: 'm1' } }));
    // A stream body has no length: fetch sends it chunked.
    const response = await fetch(`http://127.0.0.1:${suite.port}/v1/decisions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.service}` },
      body: new Blob([body]).stream(),
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { action: string }).action).toBe('allow');
  }, 30_000);
});
