import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The server's Prometheus metrics, on a registry of its own (tests create several servers). */
export class Metrics {
  readonly registry = new Registry();
  readonly decisions = new Counter({ name: 'refund_guard_decisions_total', help: 'Decisions by point and action', labelNames: ['point', 'action'] as const, registers: [this.registry] });
  readonly degradedDecisions = new Counter({ name: 'refund_guard_degraded_decisions_total', help: 'Decisions made without the account state (store unreachable)', labelNames: ['point'] as const, registers: [this.registry] });
  readonly decisionSeconds = new Histogram({
    name: 'refund_guard_decision_duration_seconds',
    help: 'Time to answer POST /v1/decisions',
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25],
    registers: [this.registry],
  });
  readonly httpRequests = new Counter({ name: 'refund_guard_http_requests_total', help: 'HTTP requests by route and status', labelNames: ['route', 'status'] as const, registers: [this.registry] });
  readonly redisErrors = new Counter({ name: 'refund_guard_redis_errors_total', help: 'Redis operations that failed', labelNames: ['operation'] as const, registers: [this.registry] });
  readonly eventsIngested = new Counter({ name: 'refund_guard_events_total', help: 'Events accepted by outcome', labelNames: ['outcome'] as const, registers: [this.registry] });
  readonly decisionLogDropped = new Counter({ name: 'refund_guard_decision_log_dropped_total', help: 'Decisions dropped from the log buffer while the store could not take them', registers: [this.registry] });
  readonly bundleInfo = new Gauge({ name: 'refund_guard_policy_bundle_info', help: 'Active policy bundle (value 1), labelled by revision', labelNames: ['revision'] as const, registers: [this.registry] });
  readonly bundleLoadFailures = new Counter({ name: 'refund_guard_policy_bundle_load_failures_total', help: 'Policy bundle loads refused', registers: [this.registry] });
  readonly restrictionsCreated = new Counter({ name: 'refund_guard_restrictions_created_total', help: 'Restrictions created by integrity reviews', labelNames: ['kind'] as const, registers: [this.registry] });

  constructor(withProcessMetrics = true) {
    if (withProcessMetrics) collectDefaultMetrics({ register: this.registry });
  }

  setBundle(revision: string): void {
    this.bundleInfo.reset();
    this.bundleInfo.set({ revision }, 1);
  }
}
