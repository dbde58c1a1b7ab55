import { connect } from 'node:net';
import { once } from 'node:events';

export interface ChunkedResult {
  /** The status line's code; undefined when no answer came. */
  status: number | undefined;
  /** Body bytes written before the answer (or the give-up point) came. */
  sent: number;
  response: string;
}

/**
 * POSTs a chunked body over a real socket, chunk after chunk, until the server answers, closes,
 * or `giveUpAfter` bytes are sent (the body is then left unfinished, so a server that reads
 * everything before answering never answers).
 */
export async function postChunked(port: number, path: string, headers: Record<string, string>, chunk: Buffer, giveUpAfter: number): Promise<ChunkedResult> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  let response = '';
  let closed = false;
  socket.on('data', (d: Buffer) => (response += d.toString('latin1')));
  socket.on('error', () => undefined); // the server may reset a connection it refused
  socket.on('close', () => (closed = true));
  const head = Object.entries({ host: `127.0.0.1:${port}`, 'transfer-encoding': 'chunked', ...headers }).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  socket.write(`POST ${path} HTTP/1.1\r\n${head}\r\n`);
  const frame = Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]);
  let sent = 0;
  while (response === '' && !closed && sent < giveUpAfter) {
    const flowing = socket.write(frame);
    sent += chunk.length;
    // once() rejects on 'error' (EPIPE once the server closed): that ends the loop like a close.
    if (!flowing) await Promise.race([once(socket, 'drain'), once(socket, 'close'), new Promise((r) => setTimeout(r, 200))]).catch(() => undefined);
  }
  // Let the whole answer arrive (or the silence last) before reading it.
  for (let waited = 0; waited < 3000 && !closed && !/\r\n\r\n[\s\S]*\}/.test(response); waited += 50) await new Promise((r) => setTimeout(r, 50));
  socket.destroy();
  const status = /^HTTP\/1\.1 (\d{3})/.exec(response)?.[1];
  return { status: status === undefined ? undefined : Number(status), sent, response };
}
