import { validateEvent, type RefundGuardEvent } from '../../engine/events/index.js';
import { generateHistory } from '../../simulator/history/index.js';
import type { Runtime } from '../runtime/create-runtime.js';

export interface DemoSummary {
  events: number;
  orders: number;
  /** An account whose evidence was appraised forged, for the example requests. */
  forgerAccount?: string;
  forgedOrder?: string;
  /** A merchant that switched interception on. */
  interceptingMerchant?: string;
  oneClickMerchant?: string;
  lastEventAt?: string;
}

/**
 * The embedded default's demo data: a small generated history ending now, ingested through
 * the same service the HTTP routes use, so the printed requests answer with real features.
 */
export async function loadDemoData(runtime: Runtime, orders = 3000): Promise<DemoSummary> {
  const days = 90;
  const start = new Date(runtime.ctx.now() - (days + 35) * 86_400_000).toISOString().slice(0, 10);
  const lines: string[] = [];
  const summary = generateHistory({ orders, seed: 'demo', start, days }, (line) => lines.push(line));
  const demo: DemoSummary = { events: summary.events, orders: summary.orders };
  const batch: RefundGuardEvent[] = [];
  const flush = async () => {
    if (batch.length > 0) await runtime.ctx.service.ingest(batch.splice(0));
  };
  for (const line of lines) {
    const parsed = validateEvent(JSON.parse(line));
    if (!parsed.ok) continue;
    const event = parsed.event;
    if (Date.parse(event.at) > runtime.ctx.now()) break;
    demo.lastEventAt = event.at;
    if (event.type === 'evidence.appraised' && event.verdict === 'forged' && demo.forgerAccount === undefined && event.orderId !== undefined) {
      demo.forgerAccount = event.accountId;
      demo.forgedOrder = event.orderId;
    }
    if (event.type === 'merchant.updated') {
      if (event.settings['interceptAbnormalRefunds'] === true) demo.interceptingMerchant ??= event.merchantId;
      if (event.settings['oneClickReject'] === true) demo.oneClickMerchant ??= event.merchantId;
    }
    batch.push(event);
    if (batch.length >= 500) await flush();
  }
  await flush();
  return demo;
}

export function exampleRequests(baseUrl: string, demo: DemoSummary): string {
  const account = demo.forgerAccount ?? 'a1';
  const merchant = demo.interceptingMerchant ?? 'm1';
  const decision = (body: object) => `curl -s ${baseUrl}/v1/decisions -H 'content-type: application/json' -d '${JSON.stringify(body)}'`;
  return [
    '# A fast refund from an account whose evidence was appraised forged, at a merchant that intercepts:',
    decision({ point: 'refund.requested', account: { id: account }, merchant: { id: merchant }, order: { id: 'o-new-1', amount: 129 }, refund: { type: 'fast_refund', reason: 'not_as_described', amount: 129 } }),
    '# The buyer asks the platform to intervene on the order whose evidence was forged:',
    decision({ point: 'refund.intervention', account: { id: account }, merchant: { id: merchant }, order: { id: demo.forgedOrder ?? 'o1' } }),
    '# The account\'s features, restrictions and integrity record:',
    `curl -s ${baseUrl}/v1/accounts/${account}`,
    '# The active policies, decision counts, metrics:',
    `curl -s ${baseUrl}/v1/policies`,
    `curl -s ${baseUrl}/v1/stats`,
    `curl -s ${baseUrl}/metrics | grep refund_guard_decisions`,
  ].join('\n');
}

/** The printed pointer to the web console and how to sign in to it. */
export function consoleHint(baseUrl: string, open: boolean): string {
  const how = open
    ? 'no REFUND_GUARD_TOKENS are set, so any token (e.g. demo-token) signs you in as admin'
    : 'sign in with your token from REFUND_GUARD_TOKENS (role:name:token names you in the audit trail)';
  return `# The console for appraisers, analysts and admins: open ${baseUrl}/console in a browser; ${how}.`;
}
