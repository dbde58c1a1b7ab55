import type { Facts } from '../compile/closures.js';
import { DecisionBuilder } from '../evaluate/decision-builder.js';
import type { Decision } from '../evaluate/decision.js';
import { preparePolicy, type PreparedPolicy } from '../evaluate/prepared-policy.js';
import { ReferencePolicyRunner } from '../evaluate/reference.js';
import { decisionPointNames, type DecisionPoint } from '../points/index.js';
import type { PolicyDefinition } from '../policy/model.js';
import { SKIP, type MerchantView } from '../rollout/index.js';
import type { CohortTable } from './cohorts.js';
import type { LoadedFeatures } from './feature-catalogue-source.js';

export interface BundleParts {
  revision: string;
  policies: readonly PolicyDefinition[];
  cohorts: CohortTable;
  features: LoadedFeatures;
}

/**
 * An immutable, prepared policy bundle: compiled once, evaluated many times.
 * The server swaps whole bundles; nothing here changes after construction.
 */
export class PreparedBundle {
  readonly revision: string;
  readonly policies: readonly PolicyDefinition[];
  readonly cohorts: CohortTable;
  readonly features: LoadedFeatures;
  private readonly byPoint: ReadonlyMap<DecisionPoint, readonly PreparedPolicy[]>;
  private readonly byId: ReadonlyMap<string, PolicyDefinition>;
  private referenceRunners: Map<PreparedPolicy, ReferencePolicyRunner> | undefined;

  constructor(parts: BundleParts) {
    this.revision = parts.revision;
    this.policies = parts.policies;
    this.cohorts = parts.cohorts;
    this.features = parts.features;
    const byPoint = new Map<DecisionPoint, PreparedPolicy[]>(decisionPointNames.map((p) => [p, []]));
    for (const policy of parts.policies) byPoint.get(policy.point)!.push(preparePolicy(policy, parts.cohorts.byMerchant));
    this.byPoint = byPoint;
    this.byId = new Map(parts.policies.map((p) => [p.id, p]));
  }

  policy(id: string): PolicyDefinition | undefined {
    return this.byId.get(id);
  }

  policiesAt(point: DecisionPoint): readonly PolicyDefinition[] {
    return (this.byPoint.get(point) ?? []).map((p) => p.definition);
  }

  /** The fast path: compiled closures. `now` is the decision's clock (epoch ms). */
  evaluate(point: DecisionPoint, facts: Facts, now: number): Decision {
    const builder = new DecisionBuilder(point);
    const merchant = merchantOf(facts);
    for (const policy of this.byPoint.get(point) ?? []) {
      const gate = policy.gate(merchant, now);
      if (gate === SKIP) continue;
      for (const rule of policy.rules) if (rule.matches(facts)) builder.matched(rule, gate);
      builder.evaluated(policy, facts);
    }
    return builder.finish();
  }

  /** The reference path: the same gate, rules matched by json-rules-engine. */
  async evaluateReference(point: DecisionPoint, facts: Facts, now: number): Promise<Decision> {
    this.referenceRunners ??= new Map();
    const builder = new DecisionBuilder(point);
    const merchant = merchantOf(facts);
    for (const policy of this.byPoint.get(point) ?? []) {
      const gate = policy.gate(merchant, now);
      if (gate === SKIP) continue;
      let runner = this.referenceRunners.get(policy);
      if (!runner) {
        runner = new ReferencePolicyRunner(policy);
        this.referenceRunners.set(policy, runner);
      }
      for (const index of await runner.matchingRules(facts)) builder.matched(policy.rules[index]!, gate);
      builder.evaluated(policy, facts);
    }
    return builder.finish();
  }
}

function merchantOf(facts: Facts): MerchantView | undefined {
  const m = facts['merchant'];
  return m !== null && typeof m === 'object' ? (m as MerchantView) : undefined;
}
