import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { AccountEvent } from '../../engine/events/index.js';
import { MemoryFeatureStore, compileFeatures, loadFeatureDefinitions } from '../../engine/features/index.js';
import { OP_WIDTH, StoreOpsWriter, applyStoreOps } from './store-ops.js';

const loaded = loadFeatureDefinitions('policies/features.yaml', readFileSync('policies/features.yaml', 'utf8'));
if (!loaded.ok) throw new Error('shipped features do not load');
const definitions = loaded.definitions;

const at = (minutes: number): string => new Date(Date.parse('2027-03-01T00:00:00Z') + minutes * 60_000).toISOString();
const events: AccountEvent[] = [
  { eventId: 'e1', type: 'order.placed', at: at(0), accountId: 'a1', merchantId: 'm1', orderId: 'o1', amount: 10, deviceId: 'd1', addressId: 'h1' },
  { eventId: 'an-event-id-without-a-code', type: 'order.placed', at: at(1), accountId: 'an-account-id-without-a-code', merchantId: 'm1', orderId: 'o2', amount: 20, deviceId: 'd1', addressId: 'h2' },
  // Ids of devices and addresses go as their codes, or as strings when they have none.
  { eventId: 'e5', type: 'order.placed', at: at(1), accountId: 'a1', merchantId: 'm1', orderId: 'o5', amount: 10, deviceId: 'a-device-id-without-a-code', addressId: '' },
  { eventId: 'e6', type: 'order.placed', at: at(1), accountId: 'a2', merchantId: 'm1', orderId: 'o6', amount: 10, deviceId: 'a-device-id-without-a-code', addressId: 'h2' },
  { eventId: 'e3', type: 'refund.requested', at: at(2), accountId: 'a1', merchantId: 'm2', orderId: 'o1', amount: 10, refund: { type: 'fast_refund', reason: 'damaged' } },
  { eventId: 'e4', type: 'evidence.appraised', at: at(3), accountId: 'an-account-id-without-a-code', merchantId: 'm1', orderId: 'o2', evidenceId: 'v1', verdict: 'forged' },
] as AccountEvent[];

describe('store ops', () => {
  it('carry every event to the feature thread as applying it directly would, past the room the writer started with', () => {
    const writer = new StoreOpsWriter(compileFeatures(definitions), null, 1);
    events.forEach((e, k) => writer.add(e, k + 1, Date.parse(e.at), 0));
    const ops = writer.take();
    expect(ops.nums.length).toBe(events.length * OP_WIDTH);
    const piped = new MemoryFeatureStore(definitions, { lean: true });
    applyStoreOps(ops, piped, piped, () => undefined);
    const direct = new MemoryFeatureStore(definitions, { lean: true });
    for (const e of events) direct.applySync(e);
    const end = Date.parse(at(10));
    for (const account of ['a1', 'a2', 'an-account-id-without-a-code']) expect(piped.readSync(account, end), account).toEqual(direct.readSync(account, end));
    expect(piped.readSync('a1', end)['linkedFlaggedAccounts365d']).toBe(1);
    // a2 shares an address (a code) with the flagged account, and a device (a string) with a1.
    expect(piped.readSync('a2', end)['linkedFlaggedAccounts365d']).toBe(1);
    // The writer starts a new batch after a take.
    expect(writer.take().nums.length).toBe(0);
  });
});
