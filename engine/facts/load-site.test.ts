import { describe, expect, it } from 'vitest';
import { FactSlots } from '../evaluate/fact-slots.js';
import { internalized, load, loadSiteFor } from './load-site.js';

describe('load sites', () => {
  it('give a name the same site every time', () => {
    expect(loadSiteFor('sameNameTwice')).toBe(loadSiteFor('sameNameTwice'));
  });

  it('read the named property whatever site a name was given, including the shared one past the last', () => {
    const names = Array.from({ length: 80 }, (_, i) => `field${i}`);
    const record = Object.fromEntries(names.map((n, i) => [n, i]));
    for (const [i, name] of names.entries()) expect(load(loadSiteFor(name), record, name)).toBe(i);
    expect(new Set(names.map(loadSiteFor)).size).toBeLessThan(names.length);
  });

  it('lets fact slots read many fields, missing roots and deep paths alike', () => {
    const paths = [...Array.from({ length: 40 }, (_, i) => `account.f${i}`), 'merchant.settings.optIn', 'refund.type', 'order.id'];
    const slots = new FactSlots(paths);
    const account = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`f${i}`, i * 2]));
    const values = slots.fill({ account, merchant: { settings: { optIn: true } }, refund: 'not an object' }, new Array(slots.size));
    for (let i = 0; i < 40; i++) expect(values[slots.slotOf(`account.f${i}`)]).toBe(i * 2);
    expect(values[slots.slotOf('merchant.settings.optIn')]).toBe(true);
    expect(values[slots.slotOf('refund.type')]).toBeUndefined();
    expect(values[slots.slotOf('order.id')]).toBeUndefined();
  });

  it('internalizes without changing the name', () => {
    const built = ['ab', 'c'].join('');
    expect(internalized(built)).toBe('abc');
  });
});
