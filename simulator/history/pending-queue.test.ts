import { describe, expect, it } from 'vitest';
import { PendingQueue } from './pending-queue.js';
import { createRandom } from './random.js';

describe('PendingQueue', () => {
  it('pops entries by time and keeps equal times in the order they were pushed', () => {
    const rng = createRandom('queue');
    const q = new PendingQueue();
    const pushed: [number, string][] = [];
    for (let i = 0; i < 5000; i++) {
      const t = rng.int(0, 200); // many ties on purpose
      pushed.push([t, `b${i}`]);
      q.push(t, i % 10, `b${i}`);
    }
    const expected = pushed
      .map(([t, b], i) => ({ t, b, i }))
      .sort((x, y) => x.t - y.t || x.i - y.i)
      .map((x) => x.b);
    const popped: string[] = [];
    while (q.size > 0) q.pop((_t, _type, body) => popped.push(body));
    expect(popped).toEqual(expected);
  });

  it('reports +Infinity as the next time when empty', () => {
    const q = new PendingQueue();
    expect(q.peekTime()).toBe(Number.POSITIVE_INFINITY);
    q.push(5, 0, 'x');
    expect(q.peekTime()).toBe(5);
  });
});
