import { describe, expect, it } from 'vitest';
import { compactAccountOf, ownerOf, type Shard } from './shard.js';

const shard1: Shard = { index: 1, count: 2, accounts: new Set(['a1']) };
const line = (account: string) => `{"eventId":"e1","type":"order.placed","at":"2027-01-03T10:00:00Z","accountId":"${account}","merchantId":"m1","orderId":"o1","amount":12}`;

describe('the account owning a history line, which component shards read without parsing', () => {
  it('is the one account a compact line names, also in a line that is not valid JSON', () => {
    expect(compactAccountOf(line('a2'))).toBe('a2');
    expect(compactAccountOf('{"accountId":"a7","amount":')).toBe('a7');
  });

  it('is found in component shards only (hash shards and single runs parse every line)', () => {
    expect(ownerOf(line('a2'), shard1)).toBe('a2');
    expect(ownerOf(line('a2'), { index: 0, count: 2, accounts: new Set() })).toBe('a2');
    expect(ownerOf(line('a2'), { index: 1, count: 2 })).toBeUndefined();
    expect(ownerOf(line('a2'), undefined)).toBeUndefined();
  });

  it('is unknown for lines that must be parsed: merchant events, whitespace, escapes, an account key twice', () => {
    expect(compactAccountOf('{"eventId":"m","type":"merchant.updated","merchantId":"m1","settings":{"accountId":"a2"},"cohorts":[]}')).toBeUndefined();
    expect(compactAccountOf(line('a2').replace('"amount":12', '"amount": 12'))).toBeUndefined();
    expect(compactAccountOf(line('a2').replace('"o1"', '"o\\u0031"'))).toBeUndefined();
    expect(compactAccountOf(line('a2').replace('"amount":12', '"x":{"accountId":"a1"},"amount":12'))).toBeUndefined();
  });
});
