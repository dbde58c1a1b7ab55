import { describe, expect, it } from 'vitest';
import { skipsUnread, type Shard } from './shard.js';

const shard1: Shard = { index: 1, count: 2, accounts: new Set(['a1']) };
const line = (account: string) => `{"eventId":"e1","type":"order.placed","at":"2027-01-03T10:00:00Z","accountId":"${account}","merchantId":"m1","orderId":"o1","amount":12}`;

describe('skipsUnread: lines a component shard may skip without parsing', () => {
  it('skips a compact line of another shard\'s account, never one of its own', () => {
    expect(skipsUnread(line('a2'), shard1)).toBe(true);
    expect(skipsUnread(line('a1'), shard1)).toBe(false);
  });

  it('reads every line in shard 0, in hash shards and without shards (bad lines are counted there)', () => {
    expect(skipsUnread(line('a2'), { ...shard1, index: 0 })).toBe(false);
    expect(skipsUnread(line('a2'), { index: 1, count: 2 })).toBe(false);
    expect(skipsUnread(line('a2'), undefined)).toBe(false);
  });

  it('parses lines it cannot read for sure: merchant events, whitespace, escapes, an account key twice', () => {
    expect(skipsUnread('{"eventId":"m","type":"merchant.updated","merchantId":"m1","settings":{"accountId":"a2"},"cohorts":[]}', shard1)).toBe(false);
    expect(skipsUnread(line('a2').replace('"amount":12', '"amount": 12'), shard1)).toBe(false);
    expect(skipsUnread(line('a2').replace('"o1"', '"o\\u0031"'), shard1)).toBe(false);
    expect(skipsUnread(line('a2').replace('"amount":12', '"x":{"accountId":"a1"},"amount":12'), shard1)).toBe(false);
  });
});
