import { connect } from 'node:net';

/**
 * Asks one question over a raw socket and reports whether the answer looks like the expected
 * server. Raw sockets, not the clients, because a client that cannot connect retries and logs;
 * the probe must stay silent and quick whatever is (or is not) on the port.
 */
function ask(host: string, port: number, question: Buffer, looksRight: (answer: Buffer) => boolean, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let answer = Buffer.alloc(0);
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write(question));
    socket.on('data', (chunk: Buffer) => {
      answer = Buffer.concat([answer, chunk]);
      if (looksRight(answer)) done(true);
    });
    socket.once('end', () => done(looksRight(answer)));
  });
}

/** host and port of a redis:// or postgres:// URL, with the scheme's default port. */
export function hostAndPort(url: string, defaultPort: number): { host: string; port: number } {
  const parsed = new URL(url);
  return { host: parsed.hostname || '127.0.0.1', port: parsed.port ? Number(parsed.port) : defaultPort };
}

/** True when a Redis answers PING (or asks for a password, which is still a Redis). */
export function redisAnswers(url: string, timeoutMs = 1000): Promise<boolean> {
  const { host, port } = hostAndPort(url, 6379);
  return ask(host, port, Buffer.from('PING\r\n'), (a) => /^(\+PONG|-NOAUTH|-ERR)/.test(a.toString('latin1')), timeoutMs);
}

/**
 * True when a PostgreSQL server answers an SSLRequest: its first reply is one byte, 'S' or 'N'.
 * (Protocol constant 80877103 from the PostgreSQL frontend/backend protocol.)
 */
export function postgresAnswers(url: string, timeoutMs = 1000): Promise<boolean> {
  const { host, port } = hostAndPort(url, 5432);
  const sslRequest = Buffer.alloc(8);
  sslRequest.writeInt32BE(8, 0);
  sslRequest.writeInt32BE(80877103, 4);
  return ask(host, port, sslRequest, (a) => a.length >= 1 && (a[0] === 0x53 || a[0] === 0x4e), timeoutMs);
}
