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

  // Integrity workflows: the 24 h appraisal SLA of forged-evidence reports, complaints.
  readonly evidenceReports = new Counter({ name: 'refund_guard_evidence_reports_total', help: 'Forged-evidence reports received, by reason', labelNames: ['reason'] as const, registers: [this.registry] });
  readonly evidenceAppraisals = new Counter({
    name: 'refund_guard_evidence_appraisals_total',
    help: 'Forged-evidence reports appraised, by verdict and whether the 24 h SLA was met',
    labelNames: ['verdict', 'sla'] as const,
    registers: [this.registry],
  });
  readonly appraisalSeconds = new Histogram({
    name: 'refund_guard_evidence_time_to_appraisal_seconds',
    help: 'Time from a forged-evidence report to its appraisal (SLA: 86400 s)',
    buckets: [300, 900, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 18 * 3600, 24 * 3600, 36 * 3600, 48 * 3600, 72 * 3600],
    registers: [this.registry],
  });
  readonly evidencePending = new Gauge({ name: 'refund_guard_evidence_reports_pending', help: 'Forged-evidence reports awaiting appraisal (computed at scrape)', registers: [this.registry] });
  readonly evidenceOverdue = new Gauge({ name: 'refund_guard_evidence_reports_overdue', help: 'Pending forged-evidence reports past their 24 h due time (computed at scrape)', registers: [this.registry] });
  readonly complaintsFiled = new Counter({ name: 'refund_guard_complaints_total', help: 'Abnormal-return complaints filed, by kind', labelNames: ['kind'] as const, registers: [this.registry] });
  readonly complaintResolutions = new Counter({ name: 'refund_guard_complaint_resolutions_total', help: 'Complaints resolved, by outcome', labelNames: ['outcome'] as const, registers: [this.registry] });
  private queueSource: (() => Promise<{ pending: number; overdue: number }>) | undefined;

  constructor(withProcessMetrics = true) {
    if (withProcessMetrics) collectDefaultMetrics({ register: this.registry });
  }

  /** Where the pending/overdue gauges read from at scrape time (the workflow store). */
  setEvidenceQueueSource(source: () => Promise<{ pending: number; overdue: number }>): void {
    this.queueSource = source;
    const metrics = this;
    let inFlight: Promise<void> | undefined;
    const refresh = (): Promise<void> =>
      (inFlight ??= (async () => {
        const counts = await metrics.queueSource?.().catch(() => undefined);
        if (counts !== undefined) {
          // store unreachable: keep the last values
          metrics.evidencePending.set(counts.pending);
          metrics.evidenceOverdue.set(counts.overdue);
        }
      })().finally(() => (inFlight = undefined)));
    // prom-client calls collect() on every scrape and awaits it; both gauges share one read.
    for (const gauge of [this.evidencePending, this.evidenceOverdue]) (gauge as unknown as { collect?: () => Promise<void> }).collect = refresh;
  }

  /**
   * The hot counters count into plain tallies and reach prom-client at scrape time: prom-client
   * hashes the label object on every inc(), even through a cached child, which cost about a
   * microsecond per decision.
   */
  private readonly decisionTally = new PairTally(this.decisions, 'point', 'action');
  private readonly requestTally = new PairTally(this.httpRequests, 'route', 'status');

  countDecision(point: string, action: string): void {
    this.decisionTally.add(point, action);
  }

  countRequest(route: string, status: number): void {
    this.requestTally.add(route, status);
  }

  setBundle(revision: string): void {
    this.bundleInfo.reset();
    this.bundleInfo.set({ revision }, 1);
  }
}

/** Counts by a pair of label values, added to a two-label counter whenever it is collected. */
class PairTally {
  private readonly counts = new Map<string, Map<string | number, { n: number; synced: number }>>();

  constructor(
    private readonly counter: Counter<string>,
    private readonly first: string,
    private readonly second: string,
  ) {
    (counter as unknown as { collect?: () => void }).collect = () => this.sync();
  }

  add(a: string, b: string | number): void {
    let row = this.counts.get(a);
    if (row === undefined) this.counts.set(a, (row = new Map()));
    const cell = row.get(b);
    if (cell === undefined) row.set(b, { n: 1, synced: 0 });
    else cell.n += 1;
  }

  private sync(): void {
    for (const [a, row] of this.counts) {
      for (const [b, cell] of row) {
        if (cell.n === cell.synced) continue;
        this.counter.inc({ [this.first]: a, [this.second]: String(b) }, cell.n - cell.synced);
        cell.synced = cell.n;
      }
    }
  }
}
