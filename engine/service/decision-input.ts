import type { DecisionPoint } from '../points/index.js';

/** A decision request as platform services send it (POST /v1/decisions, simulator replays). */
export interface DecisionInput {
  point: DecisionPoint;
  requestId?: string;
  /** The decision's clock: features, restrictions and rollout stages are taken as of this instant. */
  occurredAt?: string;
  account: { id: string } & Record<string, unknown>;
  merchant: { id: string } & Record<string, unknown>;
  order?: Record<string, unknown>;
  refund?: Record<string, unknown>;
  complaint?: Record<string, unknown>;
  evidence?: Record<string, unknown>;
  context?: Record<string, unknown>;
}
