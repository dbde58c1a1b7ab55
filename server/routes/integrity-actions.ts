import { restrictionStatus, type MerchantUpdate, type Restriction } from '../../engine/index.js';
import type { AppraisalVerdict, ComplaintOutcome, IntegrityWorkflows } from '../../engine/workflows/index.js';
import type { ServerContext } from '../context.js';
import { ApiError } from '../http/errors.js';
import { storeCall } from '../http/store-call.js';
import { activeRestrictions, reviewView, workflowCall } from './workflow-http.js';

/**
 * The state-changing steps of the integrity workflows with their metrics and log lines, shared by
 * the /v1 routes and the console so that both run exactly one implementation of each step.
 * `by` names the person (console) or is absent (service callers of /v1).
 */

export async function appraiseReport(ctx: ServerContext, workflows: IntegrityWorkflows, reportId: string, body: { verdict: AppraisalVerdict; note?: string }, by?: string) {
  const result = await workflowCall(() => workflows.appraise(reportId, by !== undefined ? { ...body, by } : body));
  const report = result.record;
  if (result.transitioned && report.appraisal) {
    ctx.metrics.evidenceAppraisals.inc({ verdict: report.appraisal.verdict, sla: report.appraisal.withinSla ? 'met' : 'missed' });
    ctx.metrics.appraisalSeconds.observe(report.appraisal.secondsToAppraisal);
    ctx.logger.info({ reportId, verdict: report.appraisal.verdict, accountId: report.accountId, withinSla: report.appraisal.withinSla, ...(by !== undefined ? { by } : {}) }, 'evidence report appraised');
  }
  return { report, review: reviewView(ctx, result.review, result.transitioned), restrictions: await activeRestrictions(ctx, report.accountId) };
}

export async function resolveComplaint(ctx: ServerContext, workflows: IntegrityWorkflows, complaintId: string, body: { outcome: ComplaintOutcome; note?: string }, by?: string) {
  const result = await workflowCall(() => workflows.resolve(complaintId, by !== undefined ? { ...body, by } : body));
  const complaint = result.record;
  if (result.transitioned && complaint.resolution) {
    ctx.metrics.complaintResolutions.inc({ outcome: complaint.resolution.outcome });
    ctx.logger.info({ complaintId, outcome: complaint.resolution.outcome, accountId: complaint.accountId, ...(by !== undefined ? { by } : {}) }, 'complaint resolved');
  }
  return { complaint, review: reviewView(ctx, result.review, result.transitioned), restrictions: await activeRestrictions(ctx, complaint.accountId) };
}

/** Lifting is audited by the account-state store (restriction.lifted with liftedBy and the reason). */
/** `by` is the person the caller's token names; `note` is what the caller typed as `by`, kept only as a note. */
export async function liftRestriction(ctx: ServerContext, restrictionId: string, lift: { reason: string; by: string; note?: string }): Promise<Restriction | undefined> {
  const now = ctx.now();
  const existing = await storeCall(() => ctx.state.getRestriction(restrictionId));
  if (!existing) throw new ApiError('not_found', `no restriction ${restrictionId}`);
  const status = restrictionStatus(existing, now);
  if (status !== 'active') throw new ApiError('restriction_not_active', `restriction ${restrictionId} is ${status}`, { status });
  const lifted = await storeCall(() => ctx.state.liftRestriction(restrictionId, { by: lift.by, reason: lift.reason, at: new Date(now).toISOString(), ...(lift.note !== undefined ? { note: lift.note } : {}) }));
  ctx.logger.info({ restrictionId, accountId: existing.accountId, by: lift.by, ...(lift.note !== undefined ? { note: lift.note } : {}), reason: lift.reason }, 'restriction lifted');
  return lifted;
}

export async function updateMerchant(ctx: ServerContext, merchantId: string, update: MerchantUpdate, by?: string) {
  const stored = await storeCall(() => ctx.merchants.put(merchantId, { ...update, ...(by !== undefined ? { by } : {}) }, new Date(ctx.now()).toISOString()));
  ctx.logger.info({ merchantId, settings: stored.settings, cohorts: stored.cohorts, ...(by !== undefined ? { by } : {}) }, 'merchant updated');
  return stored;
}
