/**
 * Stage 4 of a replay: a decision point's event is decided in both worlds FIRST, on the account as
 * of the event's instant but without the event itself (asOf = the event time, read before the event
 * is applied). That is what production sees: the refund service asks for a decision, then records
 * the event. Events earlier in the file with the same timestamp are included.
 *
 * Features are read only where a world's policies read them (READ_* bits, WorldPair.storesReadAt),
 * and where both worlds hold the same policies and see the same facts the baseline's decision is
 * the candidate's too. Decisions go to the tally (stage 6) as tallies, or as records when someone
 * reads them.
 */
import { decisionInputFor, decisionPointNames, restrictionFacts, type DecisionPoint, type PreparedBundle, type Restriction } from '../../engine/index.js';
import type { RefundGuardEvent } from '../../engine/events/index.js';
import { ReusedDecisionInputs } from '../../engine/service/decision-points-of-events.js';
import { READ_BASELINE, READ_CANDIDATE } from './store-ops.js';
import type { TallyStage } from './tally.js';
import type { WorldPair } from './worlds.js';

export class DecideStage {
  private readonly samePolicies: Set<DecisionPoint>;
  private readonly reusedInputs = new ReusedDecisionInputs();
  private readonly baseline: PreparedBundle;
  private readonly candidate: PreparedBundle;

  constructor(
    private readonly worlds: WorldPair,
    private readonly tally: TallyStage,
  ) {
    this.baseline = worlds.b.bundle;
    this.candidate = worlds.c.bundle;
    this.samePolicies = pointsWithSamePolicies(this.baseline, this.candidate);
  }

  /** Decides `event` in both worlds as of `now` (its time), when it is a decision point; nothing otherwise. */
  decide(event: RefundGuardEvent, line: number, now: number): void {
    const { b, c, featuresB, featuresC, sharedFeatures, merchants } = this.worlds;
    const tally = this.tally;
    // Tallied decisions keep nothing of their input: checkouts fill one input again.
    const input = tally.wantsRecords ? decisionInputFor(event) : this.reusedInputs.of(event);
    if (input === undefined) return;
    const accountId = input.account.id;
    const merchant = merchants.getSync(input.merchant.id);
    const reads = this.worlds.storesReadAt(input.point);
    const fb = (reads & READ_BASELINE) !== 0 ? featuresB.readSync(accountId, now, line) : noFeatures;
    const fc = sharedFeatures ? fb : (reads & READ_CANDIDATE) !== 0 ? featuresC.readSync(accountId, now, line) : noFeatures;
    const sb = b.snapshot(accountId, fb);
    const sc = c.snapshot(accountId, fc);
    // Same policies and same facts give the same decision: reuse it (most checkouts).
    const same = this.samePolicies.has(input.point) && fb === fc && sameRestrictionFacts(sb.restrictions, sc.restrictions, input.merchant.id, now);
    if (!tally.wantsRecords) {
      const tb = b.service.evaluateWith(input, sb, merchant, now, this.baseline);
      const tc = same ? tb : c.service.evaluateWith(input, sc, merchant, now, this.candidate);
      tally.tallies(event, input, line, now, tb, tc);
      return;
    }
    const rb = b.service.decideWith(input, sb, merchant, now, false, this.baseline);
    // A reused decision is relabelled with the candidate's revision.
    const rc = same ? { ...rb, policyRevision: this.candidate.revision } : c.service.decideWith(input, sc, merchant, now, false, this.candidate);
    tally.records(event, input, line, now, rb, rc);
  }
}

/**
 * Points where both bundles hold exactly the same policies (by content hash, in bundle order)
 * under the same static cohorts. There a decision depends only on the facts, so when both worlds
 * present the same facts the candidate's decision is the baseline's.
 */
function pointsWithSamePolicies(baseline: PreparedBundle, candidate: PreparedBundle): Set<DecisionPoint> {
  const points = new Set<DecisionPoint>();
  const cohorts = (bundle: PreparedBundle): string => JSON.stringify([...bundle.cohorts.cohorts]);
  if (cohorts(baseline) !== cohorts(candidate)) return points;
  for (const point of decisionPointNames) {
    const hashes = (bundle: PreparedBundle): string => bundle.policiesAt(point).map((p) => p.contentHash).join(',');
    if (hashes(baseline) === hashes(candidate)) points.add(point);
  }
  return points;
}

/**
 * Restrictions are facts too, through restrictionFacts only (activeRestrictions, restrictedHere, ...):
 * the worlds agree when those agree. Their records never do (each world's carry its own decision ids).
 */
function sameRestrictionFacts(a: readonly Restriction[], b: readonly Restriction[], merchantId: string, now: number): boolean {
  if (a === b) return true;
  const fa = restrictionFacts(a, merchantId, now);
  const fb = restrictionFacts(b, merchantId, now);
  for (const key in fa) if (fa[key as keyof typeof fa] !== fb[key as keyof typeof fb]) return false;
  return true;
}

const noFeatures: Record<string, number> = Object.freeze({}) as Record<string, number>;
