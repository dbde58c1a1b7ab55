export { RefundGuardService, type ServiceDependencies, type DecisionRecord, type ReviewOutcome } from './refund-guard-service.js';
export { assembleFacts } from './assemble-facts.js';
export { effectsOf, type EventEffect } from './event-effects.js';
export type { DecisionInput } from './decision-input.js';
export { decisionInputFor, decisionPointOf, amountAtStake } from './decision-points-of-events.js';
