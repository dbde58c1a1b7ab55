import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import type { DecisionRecord } from '../engine/index.js';
import { maxLoggedDecisionBytes } from '../server/decision-log/decision-log.js';
import { MemoryDecisionLog, RedisDecisionLog } from '../server/decision-log/index.js';
import { redisUrl } from './support/runtime.js';

/** Issue 19 item 5: the decision log is bounded by size, not only by count. */
const record = (n: number, factsChars: number): DecisionRecord => ({
  decisionId: `d-${n}`, point: 'order.checkout', action: 'allow', params: undefined, reasons: [], shadow: [], missingFacts: [],
  policyRevision: 'r1', degraded: false, occurredAt: '2027-02-01T00:00:00.000Z', decidedAt: '2027-02-01T00:00:00.000Z',
  accountId: 'a1', merchantId: 'm1', facts: { context: { note: 'x'.repeat(factsChars) } },
});

describe('the in-memory decision log', () => {
  it('holds at most its size budget, dropping the oldest decisions first', async () => {
    const log = new MemoryDecisionLog(100_000, 200_000);
    for (let n = 0; n < 100; n++) log.append(record(n, 10_000));
    expect(log.heldChars).toBeLessThanOrEqual(200_000);
    expect(await log.get('d-0')).toBeUndefined();
    expect((await log.get('d-99'))?.decisionId).toBe('d-99');
    // Counts still cover every decision.
    expect((await log.stats())['order.checkout']?.['allow']).toBe(100);
  });

  it('keeps each record within the per-decision bound', async () => {
    const log = new MemoryDecisionLog();
    log.append(record(1, 1_000_000));
    const logged = await log.get('d-1');
    expect(JSON.stringify(logged).length).toBeLessThanOrEqual(maxLoggedDecisionBytes);
    expect(logged).toMatchObject({ action: 'allow', facts: {} });
  });
});

describe('the Redis decision log buffer', () => {
  const client = new Redis(redisUrl, { lazyConnect: true });
  afterAll(() => client.disconnect());

  it('holds at most its size budget while unwritten, counting what it dropped', async () => {
    let dropped = 0;
    // No flush happens in this test (nothing reaches Redis): a huge batch size and interval keep everything buffered; its timer is unref'd.
    const log = new RedisDecisionLog(client, { prefix: 'rgtest-bounds-unused', batchSize: 1_000_000, intervalMs: 3_600_000, maxBufferedChars: 100_000, onDropped: (n) => (dropped += n) });
    for (let n = 0; n < 50; n++) log.append(record(n, 10_000));
    expect(log.bufferedCharCount).toBeLessThanOrEqual(100_000);
    expect(log.buffered).toBeLessThan(50);
    expect(dropped).toBe(50 - log.buffered);
    expect(await log.get('d-49')).toMatchObject({ decisionId: 'd-49' });
    // A single oversized decision is logged without its facts, so it fits.
    log.append(record(99, 2_000_000));
    expect((await log.get('d-99'))?.facts).toEqual({});
  });
});
