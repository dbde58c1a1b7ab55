import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { forEachLine } from './line-reader.js';

const dir = mkdtempSync(join(tmpdir(), 'line-reader-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

async function linesOf(content: string | Buffer, chunkBytes: number): Promise<[string, number][]> {
  const file = join(dir, `f${++files}.txt`);
  writeFileSync(file, content);
  const lines: [string, number][] = [];
  await forEachLine(file, (text, n) => void lines.push([text, n]), undefined, chunkBytes);
  return lines;
}

/** What the reader must produce: the text split at each newline, without an empty line after a final newline. */
const expected = (content: string): [string, number][] => {
  if (content === '') return [];
  const parts = content.split('\n');
  if (content.endsWith('\n')) parts.pop();
  return parts.map((p, i) => [p, i + 1]);
};

describe('forEachLine', () => {
  it('gives every line with its number, whatever the chunk size, with multi-byte characters across chunk edges', async () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'é', '€', '𝄞', '\n', '\r', ' ', '{', '"'), maxLength: 200 });
    await fc.assert(
      fc.asyncProperty(text, fc.integer({ min: 1, max: 64 }), async (content, chunk) => {
        expect(await linesOf(content, chunk)).toEqual(expected(content));
      }),
      { numRuns: 300 },
    );
  });

  it('reads a line longer than its buffer, and a last line without a newline', async () => {
    const long = 'x'.repeat(1000);
    expect(await linesOf(`a\n${long}\nb`, 16)).toEqual([['a', 1], [long, 2], ['b', 3]]);
  });

  it('keeps blank lines and carriage returns for the caller to judge', async () => {
    expect(await linesOf('{"a":1}\r\n\n  \n{"b":2}\n', 4)).toEqual([['{"a":1}\r', 1], ['', 2], ['  ', 3], ['{"b":2}', 4]]);
  });

  it('turns bytes that are not UTF-8 into replacement characters, as any decoder does, without losing the lines around them', async () => {
    const content = Buffer.concat([Buffer.from('ok\n'), Buffer.from([0xff, 0xfe]), Buffer.from('\nafter\n')]);
    expect(await linesOf(content, 3)).toEqual([['ok', 1], ['\ufffd\ufffd', 2], ['after', 3]]);
  });

  it('reads nothing from an empty file', async () => {
    expect(await linesOf('', 8)).toEqual([]);
  });
});
