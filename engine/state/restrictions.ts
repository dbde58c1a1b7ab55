import { createHash } from 'node:crypto';
import type { Decision } from '../evaluate/decision.js';

/** What an upheld complaint or forged-evidence verdict may put on an account (integrity.review). */
export type RestrictionKind = 'restrict_store' | 'restrict_platform' | 'refer_to_authorities';
export type RestrictionScope = { type: 'store'; merchantId: string } | { type: 'platform' };
export type RestrictionStatus = 'active' | 'lifted' | 'expired';

export interface RestrictionTrigger {
  type: 'complaint' | 'evidence';
  /** Complaint or evidence-report id. */
  id: string;
  eventId?: string;
  orderId?: string;
}

export interface Restriction {
  id: string;
  accountId: string;
  scope: RestrictionScope;
  kind: RestrictionKind;
  reason: string;
  policy: string;
  policyVersion: number;
  rule: string;
  createdAt: string;
  /** null: until lifted (a referral to the authorities does not lapse). */
  expiresAt: string | null;
  /** As stored; `expired` is derived from the clock by restrictionStatus(). */
  status: RestrictionStatus;
  liftedAt?: string;
  liftedBy?: string;
  liftReason?: string;
  liftNote?: string;
  trigger?: RestrictionTrigger;
  /** Decision that created it, when logged. */
  decisionId?: string;
}

const defaultDurationDays: Record<RestrictionKind, number | null> = {
  restrict_store: 180,
  restrict_platform: 90,
  refer_to_authorities: null,
};

const DAY_MS = 86_400_000;

export function isRestrictionKind(action: string): action is RestrictionKind {
  return action === 'restrict_store' || action === 'restrict_platform' || action === 'refer_to_authorities';
}

/** Status by the decision clock, so a replay sees the restrictions production saw. */
export function restrictionStatus(r: Restriction, now: number): RestrictionStatus {
  if (Date.parse(r.createdAt) > now) return 'expired'; // not yet in force at that instant; never shown as active
  if (r.liftedAt !== undefined && Date.parse(r.liftedAt) <= now) return 'lifted';
  if (r.expiresAt !== null && Date.parse(r.expiresAt) <= now) return 'expired';
  return 'active';
}

export function isActiveAt(r: Restriction, now: number): boolean {
  return Date.parse(r.createdAt) <= now && restrictionStatus(r, now) === 'active';
}

/**
 * The restriction an integrity.review decision asks for, or undefined for `none`.
 * Its id is derived from the account and the trigger, so replaying the same upheld complaint
 * (or re-sending its event) never creates a second restriction.
 */
export function restrictionFromReview(
  decision: Decision,
  context: { accountId: string; merchantId: string; now: number; trigger: RestrictionTrigger; decisionId?: string },
): Restriction | undefined {
  if (!isRestrictionKind(decision.action)) return undefined;
  const kind = decision.action;
  const winner = decision.reasons[0];
  if (winner === undefined) return undefined;
  const days = typeof decision.params?.['durationDays'] === 'number' ? decision.params['durationDays'] : defaultDurationDays[kind];
  const created = new Date(context.now);
  return {
    id: restrictionId(context.accountId, kind, context.trigger),
    accountId: context.accountId,
    scope: kind === 'restrict_store' ? { type: 'store', merchantId: context.merchantId } : { type: 'platform' },
    kind,
    reason: winner.reason,
    policy: winner.policy,
    policyVersion: winner.version,
    rule: winner.rule,
    createdAt: created.toISOString(),
    expiresAt: days === null ? null : new Date(context.now + days * DAY_MS).toISOString(),
    status: 'active',
    trigger: context.trigger,
    ...(context.decisionId !== undefined ? { decisionId: context.decisionId } : {}),
  };
}

export function restrictionId(accountId: string, kind: RestrictionKind, trigger: RestrictionTrigger): string {
  return `rst-${createHash('sha256').update(`${accountId}\0${kind}\0${trigger.type}\0${trigger.id}`).digest('base64url').slice(0, 16)}`;
}

/** Facts the policies read about restrictions (account.restrictedHere, ...). */
export interface RestrictionFacts {
  activeRestrictions: number;
  restrictedHere: boolean;
  restrictedPlatform: boolean;
  referredToAuthorities: boolean;
}

export function restrictionFacts(restrictions: readonly Restriction[], merchantId: string | undefined, now: number): RestrictionFacts {
  // Most accounts have none: their facts are one shared (read-only: facts are copied, never written) object.
  if (restrictions.length === 0) return unrestricted;
  const facts: RestrictionFacts = { activeRestrictions: 0, restrictedHere: false, restrictedPlatform: false, referredToAuthorities: false };
  for (const r of restrictions) {
    if (!isActiveAt(r, now)) continue;
    facts.activeRestrictions += 1;
    if (r.kind === 'restrict_store' && r.scope.type === 'store' && r.scope.merchantId === merchantId) facts.restrictedHere = true;
    if (r.kind === 'restrict_platform') facts.restrictedPlatform = true;
    if (r.kind === 'refer_to_authorities') facts.referredToAuthorities = true;
  }
  return facts;
}

const unrestricted: RestrictionFacts = Object.freeze({ activeRestrictions: 0, restrictedHere: false, restrictedPlatform: false, referredToAuthorities: false });

/** An equivalent restriction already in force makes a new one redundant (same kind, same scope). */
export function coveredBy(existing: readonly Restriction[], candidate: Restriction, now: number): Restriction | undefined {
  return existing.find(
    (r) =>
      r.id === candidate.id ||
      (isActiveAt(r, now) &&
        r.kind === candidate.kind &&
        (r.scope.type === 'platform' || (candidate.scope.type === 'store' && r.scope.merchantId === candidate.scope.merchantId))),
  );
}
