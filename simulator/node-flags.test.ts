import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RELAUNCH_MIN_BYTES, simulateWantsNodeFlags } from './node-flags.js';

const dir = mkdtempSync(join(tmpdir(), 'node-flags-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('simulateWantsNodeFlags', () => {
  it('asks for the flags on a large history only, however --history is written', () => {
    const large = join(dir, 'large.ndjson');
    writeFileSync(large, '');
    truncateSync(large, RELAUNCH_MIN_BYTES); // sparse: the size without the bytes
    const small = join(dir, 'small.ndjson');
    writeFileSync(small, '{}\n');
    expect(simulateWantsNodeFlags(['--history', large, '--candidate', 'policies'])).toBe(true);
    expect(simulateWantsNodeFlags([`--history=${large}`, '--candidate', 'policies', '--strict'])).toBe(true);
    expect(simulateWantsNodeFlags(['--history', small, '--candidate', 'policies'])).toBe(false);
  });

  it('leaves a missing or unreadable history, and a missing --history, to the command', () => {
    expect(simulateWantsNodeFlags(['--history', join(dir, 'absent.ndjson'), '--candidate', 'policies'])).toBe(false);
    expect(simulateWantsNodeFlags(['--candidate', 'policies'])).toBe(false);
    expect(simulateWantsNodeFlags(['--history'])).toBe(false);
  });
});
