/**
 * Decision points and their actions, weakest first. The strongest enforced action wins,
 * and the weakest is the answer when no rule matches.
 */
export const decisionPoints = {
  'refund.requested': ['approve', 'return_first', 'reject_allowed'],
  'refund.intervention': ['continue', 'deny_refund'],
  'order.checkout': ['allow', 'limit_quantity', 'refuse_sale'],
  'integrity.review': ['none', 'restrict_store', 'restrict_platform', 'refer_to_authorities'],
} as const;

export type DecisionPoint = keyof typeof decisionPoints;
export type Action = (typeof decisionPoints)[DecisionPoint][number];

export const decisionPointNames = Object.keys(decisionPoints) as DecisionPoint[];

export function isDecisionPoint(value: unknown): value is DecisionPoint {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(decisionPoints, value);
}

export function actionsOf(point: DecisionPoint): readonly string[] {
  return decisionPoints[point];
}

export function defaultAction(point: DecisionPoint): string {
  return decisionPoints[point][0];
}

/** Strength of an action at a point (0 = weakest), or -1 when the action does not belong to the point. */
export function actionStrength(point: DecisionPoint, action: string): number {
  return (decisionPoints[point] as readonly string[]).indexOf(action);
}
