// A bare chunked JSON.parse of an NDJSON file: 1 MiB reads, UTF-8 decoding up to the last newline,
// split, JSON.parse of each line, nothing else. The simulator benches' floor; plain JavaScript so a
// fresh `node` process can run it (`node test/support/bare-parse.mjs FILE` prints the line count).
import { open } from 'node:fs/promises';

/** @param {string} path @returns {Promise<number>} lines parsed */
export async function bareChunkedParse(path) {
  const handle = await open(path, 'r');
  const buffer = Buffer.allocUnsafe(1 << 20);
  let kept = 0;
  let parsed = 0;
  try {
    for (;;) {
      const { bytesRead } = await handle.read(buffer, kept, buffer.length - kept, null);
      if (bytesRead === 0) break;
      const end = kept + bytesRead;
      const last = buffer.lastIndexOf(0x0a, end - 1);
      const text = buffer.toString('utf8', 0, last);
      for (let start = 0; ; ) {
        const nl = text.indexOf('\n', start);
        if (JSON.parse(nl === -1 ? text.slice(start) : text.slice(start, nl)) !== null) parsed++;
        if (nl === -1) break;
        start = nl + 1;
      }
      buffer.copy(buffer, 0, last + 1, end);
      kept = end - last - 1;
    }
    if (kept > 0 && JSON.parse(buffer.toString('utf8', 0, kept)) !== null) parsed++;
  } finally {
    await handle.close();
  }
  return parsed;
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(await bareChunkedParse(process.argv[2]));
