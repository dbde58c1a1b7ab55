import { isAscii } from 'node:buffer';
import { open } from 'node:fs/promises';

/** Bytes read per chunk: large enough to amortise the syscall and the await, small enough to keep memory flat. */
const CHUNK_BYTES = 1 << 20;
const NEWLINE = 0x0a;

/**
 * Calls `onLine` for every line of the file, in order, with its 1-based number. Reads fixed-size
 * chunks and splits them itself: readline costs ~15% more per line, and the caller's work per
 * line is synchronous, so one await per chunk (not per line) is all the asynchrony needed;
 * a line handler that does need to wait returns a promise and is awaited before the next line.
 *
 * Each chunk is decoded line by line up to its last newline (a newline byte never occurs inside a
 * multi-byte UTF-8 character, so no character is split), and the bytes after it move to the front
 * of the buffer for the next read: no partial line is ever glued to a decoded chunk, which would
 * copy every chunk's text a second time. Memory is one buffer, grown only for a line longer than
 * it, whatever the file size.
 */
export async function forEachLine(
  path: string,
  onLine: (text: string, line: number) => void | Promise<void>,
  onChunk?: (bytesRead: number) => void,
  chunkBytes = CHUNK_BYTES,
): Promise<void> {
  const handle = await open(path, 'r');
  try {
    let buffer = Buffer.allocUnsafe(chunkBytes);
    // Bytes of an unfinished line at the start of the buffer.
    let kept = 0;
    let line = 0;
    let bytes = 0;
    for (;;) {
      if (kept === buffer.length) {
        const larger = Buffer.allocUnsafe(buffer.length * 2);
        buffer.copy(larger, 0, 0, kept);
        buffer = larger;
      }
      const { bytesRead } = await handle.read(buffer, kept, buffer.length - kept, null);
      if (bytesRead === 0) break;
      bytes += bytesRead;
      const end = kept + bytesRead;
      const last = buffer.lastIndexOf(NEWLINE, end - 1);
      if (last >= 0) {
        // Each line is decoded from its own bytes: pure ASCII (histories nearly always are) as latin1,
        // which for such bytes is the same text, a plain copy; anything else as UTF-8. Decoding the
        // chunk and slicing lines off it costs several times more (UTF-8 about a second per 300 MB;
        // one large string per chunk is an allocation the heap notices), and V8 reads a flat line faster.
        const encoding = textEncoding(buffer, last);
        let start = 0;
        for (;;) {
          // buffer[last] is a newline: the search ends there at the latest.
          const nl = buffer.indexOf(NEWLINE, start);
          // Only the rare events with side effects return a promise; the common path stays synchronous.
          const pending = onLine(buffer.toString(encoding, start, nl), ++line);
          if (pending !== undefined) await pending;
          if (nl === last) break;
          start = nl + 1;
        }
        buffer.copy(buffer, 0, last + 1, end);
        kept = end - last - 1;
      } else {
        kept = end;
      }
      onChunk?.(bytes);
    }
    if (kept > 0) await onLine(buffer.toString(textEncoding(buffer, kept), 0, kept), ++line);
  } finally {
    await handle.close();
  }
}

/** How to decode buffer[0, end): latin1 when pure ASCII (the same text, decoded faster), else UTF-8. */
function textEncoding(buffer: Buffer, end: number): 'latin1' | 'utf8' {
  return isAscii(buffer.subarray(0, end)) ? 'latin1' : 'utf8';
}
