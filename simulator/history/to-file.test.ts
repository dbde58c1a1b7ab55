import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateHistoryToFile } from './to-file.js';
import { collect } from './test-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'history-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('generateHistoryToFile', () => {
  it('writes the same lines as the sink, newline-terminated, across several chunks', async () => {
    const options = { orders: 12_000, seed: 9 }; // > 1 MiB, so more than one chunk is written
    const file = join(dir, 'a.ndjson');
    const summary = await generateHistoryToFile(options, file);
    const text = readFileSync(file, 'latin1');
    expect(text.length).toBeGreaterThan(1 << 20);
    const { lines } = collect(options);
    expect(text).toBe(lines.join('\n') + '\n');
    expect(summary.events).toBe(lines.length);
  });

  it('is byte-identical across runs with the same seed', async () => {
    const a = join(dir, 'b.ndjson');
    const b = join(dir, 'c.ndjson');
    await generateHistoryToFile({ orders: 2000, seed: 'same' }, a);
    await generateHistoryToFile({ orders: 2000, seed: 'same' }, b);
    expect(readFileSync(a).equals(readFileSync(b))).toBe(true);
  });
});
