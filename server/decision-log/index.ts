export type { DecisionCounts, DecisionLog } from './decision-log.js';
export { recentPerAccount, dayCountDays } from './decision-log.js';
export { MemoryDecisionLog } from './memory-decision-log.js';
export { RedisDecisionLog, decisionTime, newDecisionId } from './redis-decision-log.js';
export { ThreadedDecisionLog } from './threaded-decision-log.js';
