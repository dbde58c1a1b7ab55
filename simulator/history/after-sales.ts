import { A, profileOf } from './archetypes.js';
import { DAY, HOUR, MINUTE } from './iso-time.js';
import { draw, weighted } from './random.js';
import type { Random } from './random.js';
import { T } from './types.js';
import type { Scheduler } from './types.js';

/**
 * What happens after an order: whether the buyer asks for a refund, and the chain of
 * follow-ups (completion, return, merchant dispute, evidence report and appraisal,
 * intervention, complaint and resolution). Everything is decided when the order is placed
 * and scheduled at its future time; the generator writes the events when their time comes.
 *
 * Abusive refunds follow their archetype's pattern; an abusive archetype's non-abusive
 * refunds (and all refunds of honest buyers) follow the legitimate pattern, so the label is
 * ground truth and not trivially readable from the shape of the events.
 */

export interface PlacedOrder {
  time: number;
  archetype: number;
  /** Prebuilt `"accountId":…,"merchantId":…,"orderId":…` fragment shared by every follow-up. */
  ids: string;
  amount: number;
}

type RefundType = 'fast_refund' | 'refund_only' | 'return_refund';
type Reason = 'not_as_described' | 'damaged' | 'not_received' | 'changed_mind' | 'wrong_item';
type ComplaintKind = 'fake_logistics' | 'empty_package' | 'missing_items' | 'swapped_item';
type ReportReason = 'web_image' | 'edited_image' | 'not_store_product' | 'other';

interface RefundRequest {
  at: number;
  /** `"amount":…,"refund":{…}` fragment, reused by intervention.requested. */
  claim: string;
  refundAmount: number;
}

/** How a merchant's evidence report on this refund plays out. */
interface ReportPattern {
  reasons: ReturnType<typeof weighted<ReportReason>>;
  forgedChance: number;
  /** Chance the first image is one of the widely reused web pictures. */
  reuseChance: number;
  maxImages: number;
}

const HONEST_REASONS = weighted<Reason>([
  ['damaged', 25],
  ['not_as_described', 25],
  ['not_received', 10],
  ['changed_mind', 25],
  ['wrong_item', 15],
]);
const RETURNER_REASONS = weighted<Reason>([
  ['changed_mind', 50],
  ['wrong_item', 25],
  ['not_as_described', 15],
  ['damaged', 10],
]);
/** Refund type a legitimate buyer picks for a defect claim. */
const DEFECT_TYPES = weighted<RefundType>([
  ['return_refund', 60],
  ['refund_only', 25],
  ['fast_refund', 15],
]);
const SERIAL_REASONS = weighted<Reason>([
  ['not_as_described', 35],
  ['not_received', 30],
  ['damaged', 25],
  ['wrong_item', 10],
]);
const RING_REASONS = weighted<Reason>([
  ['not_received', 50],
  ['not_as_described', 30],
  ['damaged', 20],
]);
const FORGED_REASONS = weighted<Reason>([
  ['damaged', 50],
  ['not_as_described', 40],
  ['wrong_item', 10],
]);
const PACKAGE_REASONS = weighted<Reason>([
  ['changed_mind', 30],
  ['damaged', 30],
  ['wrong_item', 25],
  ['not_as_described', 15],
]);
const PACKAGE_KINDS = weighted<ComplaintKind>([
  ['empty_package', 35],
  ['swapped_item', 25],
  ['missing_items', 20],
  ['fake_logistics', 20],
]);
/** Merchants sometimes complain about honest returns too; most such complaints are dismissed. */
const HONEST_COMPLAINT_KINDS = weighted<ComplaintKind>([
  ['missing_items', 40],
  ['swapped_item', 25],
  ['empty_package', 20],
  ['fake_logistics', 15],
]);

const FORGED_REPORT: ReportPattern = {
  reasons: weighted<ReportReason>([
    ['web_image', 40],
    ['edited_image', 35],
    ['not_store_product', 20],
    ['other', 5],
  ]),
  forgedChance: 0.85,
  reuseChance: 0.45,
  maxImages: 2,
};
/** A merchant flags a genuine buyer's photos: the appraisal mostly finds them genuine. */
const MISTAKEN_REPORT: ReportPattern = {
  reasons: weighted<ReportReason>([
    ['edited_image', 30],
    ['not_store_product', 30],
    ['web_image', 20],
    ['other', 20],
  ]),
  forgedChance: 0.08,
  reuseChance: 0,
  maxImages: 3,
};

/** Share of appraisals that miss the 24-hour deadline. */
const OVERDUE_APPRAISAL = 0.05;

export class AfterSales {
  refunds = 0;
  abuseRefunds = 0;
  private reportSeq = 0;
  private complaintSeq = 0;
  /** Pictures copied from the web: forged-evidence claimants reuse them across accounts. */
  private readonly webImages: string[];

  constructor(
    private readonly rng: Random,
    private readonly out: Scheduler,
    expectedOrders: number,
  ) {
    const poolSize = 40 + Math.ceil(expectedOrders / 25_000);
    this.webImages = Array.from({ length: poolSize }, () => rng.sha256());
  }

  plan(order: PlacedOrder): void {
    const profile = profileOf(order.archetype);
    if (this.rng.next() >= profile.refundRate) return;
    if (profile.abuseShare === 0 || this.rng.next() >= profile.abuseShare) {
      this.legitimate(order);
      return;
    }
    switch (order.archetype) {
      case A.serialRefunder:
        this.refundFarming(order, SERIAL_REASONS, 0.5);
        return;
      case A.ring:
        this.refundFarming(order, RING_REASONS, 0.4);
        return;
      case A.forgedEvidence:
        this.forgedEvidence(order);
        return;
      case A.packageFraud:
        this.packageFraud(order);
        return;
      default:
        this.legitimate(order);
    }
  }

  private legitimate(o: PlacedOrder): void {
    const rng = this.rng;
    const reason = draw(rng, o.archetype === A.occasionalReturner ? RETURNER_REASONS : HONEST_REASONS);
    let type: RefundType;
    if (reason === 'changed_mind' || reason === 'wrong_item') type = 'return_refund';
    else if (reason === 'not_received') type = rng.chance(0.3) ? 'fast_refund' : 'refund_only';
    else type = draw(rng, DEFECT_TYPES);
    // Defect claims without a return are often settled for part of the price.
    const partial = type === 'refund_only' && reason !== 'not_received' && rng.chance(0.3);
    const refundAmount = partial ? cents(o.amount * rng.between(0.3, 0.8)) : o.amount;
    const delay = reason === 'not_received' ? [5 * DAY, 15 * DAY] : reason === 'changed_mind' ? [1 * DAY, 10 * DAY] : [2 * DAY, 14 * DAY];
    const req = this.request(o, this.after(o.time, delay[0]!, delay[1]!), type, reason, refundAmount, 'legit');

    if (type === 'return_refund') {
      const received = this.after(req.at, 2 * DAY, 8 * DAY);
      this.out.schedule(received, T.returnReceived, o.ids);
      this.complete(o, this.after(received, HOUR, 2 * DAY), refundAmount);
      if (rng.chance(0.01)) this.complaint(o, received, draw(rng, HONEST_COMPLAINT_KINDS), 0.15);
    } else if (type === 'fast_refund') {
      this.complete(o, this.after(req.at, 5 * MINUTE, 2 * HOUR), refundAmount);
      if (reason !== 'not_received') this.out.schedule(this.after(req.at, 2 * DAY, 7 * DAY), T.returnReceived, o.ids);
    } else if (rng.chance(0.85)) {
      this.complete(o, this.after(req.at, 2 * HOUR, 3 * DAY), refundAmount);
    } else {
      const evidenceClaim = reason === 'damaged' || reason === 'not_as_described';
      this.dispute(o, req, evidenceClaim && rng.chance(0.25) ? MISTAKEN_REPORT : null, 0.9);
    }
  }

  /** Serial refunders and rings: refund-only or fast refunds, keeping the goods. */
  private refundFarming(o: PlacedOrder, reasons: typeof SERIAL_REASONS, fastShare: number): void {
    const rng = this.rng;
    const type: RefundType = rng.chance(fastShare) ? 'fast_refund' : 'refund_only';
    const req = this.request(o, this.after(o.time, DAY, 8 * DAY), type, draw(rng, reasons), o.amount, 'abuse');
    if (type === 'fast_refund') {
      this.complete(o, this.after(req.at, 5 * MINUTE, 2 * HOUR), o.amount);
      if (rng.chance(0.1)) this.out.schedule(this.after(req.at, 3 * DAY, 10 * DAY), T.returnReceived, o.ids);
    } else if (rng.chance(0.25)) {
      this.dispute(o, req, null, 0.8);
    } else {
      this.complete(o, this.after(req.at, 2 * HOUR, 3 * DAY), o.amount);
    }
  }

  /** Claims backed by forged pictures; the merchant often flags them. */
  private forgedEvidence(o: PlacedOrder): void {
    const rng = this.rng;
    const type: RefundType = rng.chance(0.35) ? 'fast_refund' : 'refund_only';
    const req = this.request(o, this.after(o.time, 2 * DAY, 10 * DAY), type, draw(rng, FORGED_REASONS), o.amount, 'abuse');
    const reported = rng.chance(0.7);
    if (type === 'fast_refund') {
      // Paid before anyone looked; the merchant can still report, which feeds the account record.
      this.complete(o, this.after(req.at, 5 * MINUTE, 2 * HOUR), o.amount);
      if (reported) this.report(o, req.at, FORGED_REPORT);
    } else if (!reported && rng.chance(0.3)) {
      this.complete(o, this.after(req.at, 2 * HOUR, 3 * DAY), o.amount);
    } else {
      this.dispute(o, req, reported ? FORGED_REPORT : null, 0.85);
    }
  }

  /** Returns that come back empty, swapped or short, or never ship at all. */
  private packageFraud(o: PlacedOrder): void {
    const rng = this.rng;
    const req = this.request(o, this.after(o.time, 2 * DAY, 10 * DAY), 'return_refund', draw(rng, PACKAGE_REASONS), o.amount, 'abuse');
    const kind = draw(rng, PACKAGE_KINDS);
    const delivered = this.after(req.at, 2 * DAY, 7 * DAY); // when tracking shows the return delivered
    if (kind !== 'fake_logistics') this.out.schedule(delivered, T.returnReceived, o.ids);
    this.complete(o, this.after(delivered, HOUR, DAY), o.amount);
    if (rng.chance(0.8)) this.complaint(o, delivered, kind, 0.8);
  }

  /**
   * The merchant refuses; the buyer asks the platform to intervene. With an evidence report
   * appraised `forged` before the intervention, the refund is denied (§1 capability 1);
   * otherwise the platform usually sides with the buyer.
   */
  private dispute(o: PlacedOrder, req: RefundRequest, report: ReportPattern | null, buyerWins: number): void {
    let forgedBefore = Number.POSITIVE_INFINITY;
    if (report) {
      const appraisal = this.report(o, req.at, report);
      if (appraisal.forged) forgedBefore = appraisal.at;
    }
    const intervention = this.after(req.at, 12 * HOUR, 4 * DAY);
    this.out.schedule(intervention, T.interventionRequested, `${o.ids},${req.claim}`);
    if (forgedBefore <= intervention) return;
    if (this.rng.chance(buyerWins)) this.complete(o, this.after(intervention, 6 * HOUR, 3 * DAY), req.refundAmount);
  }

  /** evidence.reported then evidence.appraised, normally within 24 h. */
  private report(o: PlacedOrder, requestedAt: number, pattern: ReportPattern): { at: number; forged: boolean } {
    const rng = this.rng;
    const reportId = `r${++this.reportSeq}`;
    const reportedAt = this.after(requestedAt, HOUR, 24 * HOUR);
    const images: string[] = [];
    const count = rng.int(1, pattern.maxImages);
    for (let i = 0; i < count; i++) {
      const reused = i === 0 && rng.chance(pattern.reuseChance);
      const sha = reused ? this.webImages[Math.floor(rng.next() * this.webImages.length)]! : rng.sha256();
      images.push(`{"kind":"image","sha256":"${sha}"}`);
    }
    this.out.schedule(
      reportedAt,
      T.evidenceReported,
      `${o.ids},"reportId":"${reportId}","reason":"${draw(rng, pattern.reasons)}","evidence":[${images.join(',')}]`,
    );
    const overdue = rng.chance(OVERDUE_APPRAISAL);
    const appraisedAt = overdue ? this.after(reportedAt, 24 * HOUR + 1, 72 * HOUR) : this.after(reportedAt, 10 * MINUTE, 24 * HOUR);
    const forged = rng.chance(pattern.forgedChance);
    this.out.schedule(appraisedAt, T.evidenceAppraised, `${o.ids},"reportId":"${reportId}","verdict":"${forged ? 'forged' : 'genuine'}"`);
    return { at: appraisedAt, forged };
  }

  /** complaint.filed after the return arrived, complaint.resolved days later. */
  private complaint(o: PlacedOrder, delivered: number, kind: ComplaintKind, upheldChance: number): void {
    const complaintId = `c${++this.complaintSeq}`;
    const filed = this.after(delivered, 6 * HOUR, 3 * DAY);
    this.out.schedule(filed, T.complaintFiled, `${o.ids},"complaintId":"${complaintId}","kind":"${kind}"`);
    const outcome = this.rng.chance(upheldChance) ? 'upheld' : 'dismissed';
    this.out.schedule(this.after(filed, 2 * DAY, 12 * DAY), T.complaintResolved, `${o.ids},"complaintId":"${complaintId}","outcome":"${outcome}"`);
  }

  private request(o: PlacedOrder, at: number, type: RefundType, reason: Reason, refundAmount: number, label: 'abuse' | 'legit'): RefundRequest {
    this.refunds++;
    if (label === 'abuse') this.abuseRefunds++;
    const claim = `"amount":${o.amount},"refund":{"type":"${type}","reason":"${reason}","amount":${refundAmount}}`;
    this.out.schedule(at, T.refundRequested, `${o.ids},${claim},"label":"${label}"`);
    return { at, claim, refundAmount };
  }

  private complete(o: PlacedOrder, at: number, amount: number): void {
    this.out.schedule(at, T.refundCompleted, `${o.ids},"amount":${amount}`);
  }

  /** A whole-second time uniformly in [t + lo, t + hi). */
  private after(t: number, lo: number, hi: number): number {
    return t + Math.floor(this.rng.between(lo, hi));
  }
}

export function cents(x: number): number {
  return Math.max(0.01, Math.round(x * 100) / 100);
}
