import { describe, expect, it } from 'vitest';
import { idHash } from '../id-code.js';
import { IdFilter } from './id-filter.js';

describe('IdFilter', () => {
  it('holds every id added, and few others', () => {
    const filter = new IdFilter();
    const ids = Array.from({ length: 10_000 }, (_, k) => `evt-${k}`);
    for (const id of ids) filter.add(idHash(id));
    expect(ids.filter((id) => !filter.mayHave(idHash(id)))).toEqual([]);
    let falsePositives = 0;
    for (let k = 0; k < 10_000; k++) if (filter.mayHave(idHash(`other-${k}`))) falsePositives++;
    // 10,000 ids in 2^20 bits: about 1% of other ids find their bit set.
    expect(falsePositives).toBeLessThan(300);
  });

  it('asks to be rebuilt once it holds one id per 8 bits, and a rebuilt one is sized for the ids kept', () => {
    const filter = new IdFilter();
    let added = 0;
    while (!filter.add(idHash(`evt-${added}`))) added++;
    // 2^20 bits at first: full on the id that makes 2^17 + 1.
    expect(added + 1).toBe((1 << 17) + 1);
    const rebuilt = new IdFilter(added + 1);
    for (let k = 0; k <= added; k++) rebuilt.mark(idHash(`evt-${k}`));
    let missing = 0;
    for (let k = 0; k <= added; k++) if (!rebuilt.mayHave(idHash(`evt-${k}`))) missing++;
    expect(missing).toBe(0);
    // Sized for 32 bits per kept id: it takes in far more before it is full again.
    let more = 0;
    while (!rebuilt.add(idHash(`more-${more}`))) more++;
    expect(more).toBeGreaterThan(3 * added);
  });
});
