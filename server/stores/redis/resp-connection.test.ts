import net from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { encodeCommand, RespConnection, RespParser, type Reply } from './resp-connection.js';

describe('RespParser', () => {
  const all = (chunks: string[]): Reply[] => {
    const out: Reply[] = [];
    const parser = new RespParser((r) => out.push(r));
    for (const c of chunks) parser.execute(Buffer.from(c, 'utf8'));
    return out;
  };
  const stream = '*3\r\n:1\r\n*2\r\n$5\r\nhé|x\r\n$0\r\n\r\n*0\r\n' + '-NOSCRIPT No matching script\r\n' + '$-1\r\n' + '+OK\r\n' + '*-1\r\n';
  const expected = (replies: Reply[]): void => {
    expect(replies.slice(0, 1)).toEqual([[1, ['hé|x', ''], []]]);
    expect(replies[1]).toBeInstanceOf(Error);
    expect((replies[1] as Error).message).toBe('NOSCRIPT No matching script');
    expect(replies.slice(2)).toEqual([null, 'OK', null]);
  };

  it('parses integers, bulk strings (UTF-8), nested and empty arrays, errors and nulls', () => {
    expected(all([stream]));
  });

  it('gives the same replies however the bytes are cut into chunks', () => {
    const bytes = Buffer.from(stream, 'utf8');
    for (let cut = 1; cut < bytes.length; cut++) {
      const out: Reply[] = [];
      const parser = new RespParser((r) => out.push(r));
      parser.execute(bytes.subarray(0, cut));
      parser.execute(bytes.subarray(cut));
      expected(out);
    }
    const out: Reply[] = [];
    const parser = new RespParser((r) => out.push(r));
    for (let i = 0; i < bytes.length; i++) parser.execute(bytes.subarray(i, i + 1));
    expected(out);
  });

  it('encodes commands as arrays of bulk strings', () => {
    expect(encodeCommand(['SET', 'k', 'é', 12])).toBe('*4\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\né\r\n$2\r\n12\r\n');
  });
});

describe('RespConnection', () => {
  const servers: net.Server[] = [];
  afterEach(() => {
    for (const s of servers.splice(0)) s.close();
  });
  /** A fake Redis answering each command with `answer(commandIndex)`, or never when it returns undefined. */
  const fake = async (answer: (n: number) => string | undefined): Promise<number> => {
    let n = 0;
    const server = net.createServer((socket) => {
      const parser = new RespParser(() => {
        const a = answer(n++);
        if (a !== undefined) socket.write(a);
      });
      socket.on('data', (chunk) => parser.execute(chunk));
      socket.on('error', () => undefined);
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as net.AddressInfo).port;
  };

  it('matches pipelined replies to their round trips, in order', async () => {
    const port = await fake((n) => `:${n}\r\n`);
    const c = new RespConnection({ port, host: '127.0.0.1' });
    const [a, b] = await Promise.all([
      c.exec(encodeCommand(['PING']) + encodeCommand(['PING']), 2, 5000),
      c.exec(encodeCommand(['PING']), 1, 5000),
    ]);
    expect([a, b]).toEqual([[0, 1], [2]]);
    c.close();
  });

  it('writes the round trips started in one event-loop turn with one socket write, and each still gets its own replies', async () => {
    const port = await fake((n) => `:${n}\r\n`);
    const c = new RespConnection({ port, host: '127.0.0.1' });
    await c.exec(encodeCommand(['PING']), 1, 5000); // connected
    const write = vi.spyOn(net.Socket.prototype, 'write');
    try {
      const ping = encodeCommand(['PING']);
      const replies = await Promise.all(Array.from({ length: 50 }, () => c.exec(ping, 1, 5000)));
      expect(replies).toEqual(Array.from({ length: 50 }, (_, i) => [i + 1]));
      const ours = write.mock.calls.filter(([data]) => typeof data === 'string' && data.startsWith(ping));
      expect(ours.map(([data]) => data)).toEqual([ping.repeat(50)]);
    } finally {
      write.mockRestore();
      c.close();
    }
  });

  it('fails a round trip that gets no answer, drops the connection, and connects again for the next one', async () => {
    const port = await fake((n) => (n === 0 ? undefined : `+PONG\r\n`));
    const c = new RespConnection({ port, host: '127.0.0.1' });
    await expect(c.exec(encodeCommand(['PING']), 1, 50)).rejects.toThrow('Command timed out');
    expect(await c.exec(encodeCommand(['PING']), 1, 5000)).toEqual(['PONG']);
    c.close();
  });

  it('fails at once when nothing listens, and works once something does', async () => {
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const c = new RespConnection({ port, host: '127.0.0.1' });
    await expect(c.exec(encodeCommand(['PING']), 1, 5000)).rejects.toThrow();
    const server = net.createServer((socket) => {
      socket.on('data', () => socket.write('+PONG\r\n'));
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    expect(await c.exec(encodeCommand(['PING']), 1, 5000)).toEqual(['PONG']);
    c.close();
  });

  it('sends AUTH, SELECT and CLIENT SETNAME first, and fails the round trip when AUTH is refused', async () => {
    const seen: string[] = [];
    const server = net.createServer((socket) => {
      const parser = new RespParser((r) => {
        const name = (r as string[]).join(' ');
        seen.push(name);
        socket.write(name.startsWith('AUTH') ? '-WRONGPASS invalid username-password pair\r\n' : '+OK\r\n');
      });
      socket.on('data', (chunk) => parser.execute(chunk));
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    const c = new RespConnection({ port, host: '127.0.0.1', username: 'u', password: 'p', db: 3, name: 'n' });
    await expect(c.exec(encodeCommand(['PING']), 1, 5000)).rejects.toThrow('WRONGPASS');
    expect(seen).toEqual(['AUTH u p', 'SELECT 3', 'CLIENT SETNAME n']);
    c.close();
  });
});
