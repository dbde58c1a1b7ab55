/**
 * Follow-up events (a refund days after its order, an appraisal hours after a report) are
 * decided when the order is placed but must be written later, in time order. They wait in
 * this binary min-heap ordered by (time, sequence); the sequence keeps ties in the order
 * they were scheduled, so causally ordered events at the same second stay ordered and the
 * output is deterministic. Memory is bounded by the events still pending, not by the
 * number of orders.
 *
 * Parallel arrays instead of one object per entry: no allocation per event, and the swap
 * loop stays monomorphic.
 */
export class PendingQueue {
  private readonly times: number[] = [];
  private readonly seqs: number[] = [];
  private readonly types: number[] = [];
  private readonly bodies: string[] = [];
  private nextSeq = 0;

  get size(): number {
    return this.times.length;
  }

  /** Time of the earliest pending event, or +Infinity when empty. */
  peekTime(): number {
    return this.times.length > 0 ? this.times[0]! : Number.POSITIVE_INFINITY;
  }

  push(time: number, type: number, body: string): void {
    const seq = this.nextSeq++;
    let i = this.times.length;
    this.times.push(time);
    this.seqs.push(seq);
    this.types.push(type);
    this.bodies.push(body);
    // Sift up: move parents down until the slot for the new entry is found.
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = this.times[p]!;
      if (pt < time || (pt === time && this.seqs[p]! < seq)) break;
      this.move(p, i);
      i = p;
    }
    this.set(i, time, seq, type, body);
  }

  /**
   * Removes the earliest entry and hands it to `visit` (avoids allocating a result object).
   * Must only be called when size > 0.
   */
  pop(visit: (time: number, type: number, body: string) => void): void {
    const time = this.times[0]!;
    const type = this.types[0]!;
    const body = this.bodies[0]!;
    const lastTime = this.times.pop()!;
    const lastSeq = this.seqs.pop()!;
    const lastType = this.types.pop()!;
    const lastBody = this.bodies.pop()!;
    const n = this.times.length;
    if (n > 0) {
      // Sift the former last entry down from the root.
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        let c = l;
        if (r < n && this.less(r, l)) c = r;
        const ct = this.times[c]!;
        if (lastTime < ct || (lastTime === ct && lastSeq < this.seqs[c]!)) break;
        this.move(c, i);
        i = c;
      }
      this.set(i, lastTime, lastSeq, lastType, lastBody);
    }
    visit(time, type, body);
  }

  private less(a: number, b: number): boolean {
    const ta = this.times[a]!;
    const tb = this.times[b]!;
    return ta < tb || (ta === tb && this.seqs[a]! < this.seqs[b]!);
  }

  private move(from: number, to: number): void {
    this.times[to] = this.times[from]!;
    this.seqs[to] = this.seqs[from]!;
    this.types[to] = this.types[from]!;
    this.bodies[to] = this.bodies[from]!;
  }

  private set(i: number, time: number, seq: number, type: number, body: string): void {
    this.times[i] = time;
    this.seqs[i] = seq;
    this.types[i] = type;
    this.bodies[i] = body;
  }
}
