import type { AccountReader, AccountStateStore, MerchantStore, RefundGuardService } from '../engine/index.js';
import type { FeatureStore } from '../engine/features/index.js';
import type { WorkflowStore } from '../engine/workflows/index.js';
import type { DecisionLog } from './decision-log/index.js';
import type { TokenTable } from './http/auth.js';
import type { ClockLimits } from './http/permissions.js';
import type { Metrics } from './observability/metrics.js';
import type { Logger } from './observability/logger.js';
import type { BundleHolder } from './policies/bundle-holder.js';
import type { PolicyControl } from './policies/policy-control.js';

/** Everything a route may use. Built once by the runtime (Redis or in-memory), passed to createApp. */
export interface ServerContext {
  bundles: BundleHolder;
  /** Reload (and publish, with a shared store), the instances running, the publication served. */
  policies: PolicyControl;
  service: RefundGuardService;
  features: FeatureStore;
  reader: AccountReader;
  state: AccountStateStore;
  merchants: MerchantStore;
  /** Forged-evidence reports and abnormal-return complaints (their events go through `service`). */
  workflows: WorkflowStore;
  decisionLog: DecisionLog;
  metrics: Metrics;
  logger: Logger;
  tokens: TokenTable;
  /** How far from now a clock-bound role (service) may date its decisions and events. */
  clockLimits: ClockLimits;
  now(): number;
  /** False while the backing store cannot serve (GET /readyz answers 503). */
  ready(): Promise<boolean>;
  storeKind: 'redis' | 'memory';
  /** 'postgres': every write is committed there first; 'none': the store above holds the only copy. */
  systemOfRecord: 'postgres' | 'none';
  /** While the cache is rebuilt from PostgreSQL: how far it got (GET /readyz shows it). */
  cacheRebuild?(): Promise<{ phase: string; eventsApplied: number; eventsTotal: number; startedAt: string; by: string } | undefined>;
}
