import { Engine, Operator, type RuleProperties } from 'json-rules-engine';
import type { Facts } from '../compile/closures.js';
import { compilePolicyToJson, type JsonRule } from '../compile/json-rules.js';
import { pathGetter, type Getter } from '../facts/read-path.js';
import type { PreparedPolicy } from './prepared-policy.js';

/**
 * json-rules-engine as the reference evaluator. An Engine's run status is engine-wide, so
 * overlapping run() calls on one Engine lose results: each policy keeps a pool and a run
 * borrows an Engine for itself.
 */
const getters = new Map<string, Getter>();
function resolvePath(value: object, path: string): unknown {
  let getter = getters.get(path);
  if (getter === undefined) {
    getter = pathGetter(path.replace(/^\$\./, '').split('.'));
    getters.set(path, getter);
  }
  return getter(value);
}

export function createReferenceEngine(rules: readonly JsonRule[]): Engine {
  const engine = new Engine([], { allowUndefinedFacts: true, pathResolver: resolvePath });
  engine.addOperator(new Operator('present', (a: unknown) => a !== undefined && a !== null));
  for (const rule of rules) engine.addRule(structuredClone(rule) as unknown as RuleProperties);
  return engine;
}

export class ReferencePolicyRunner {
  private readonly idle: Engine[] = [];
  private readonly rules: JsonRule[];

  constructor(readonly policy: PreparedPolicy) {
    this.rules = compilePolicyToJson(policy.definition).rules;
  }

  /** Indexes of the rules that matched, in rule order. */
  async matchingRules(facts: Facts): Promise<number[]> {
    const engine = this.idle.pop() ?? createReferenceEngine(this.rules);
    try {
      // The almanac would treat a non-object root with a path as the value itself; the compiled
      // evaluator treats it as missing. Only object roots are handed over, so both agree.
      const objectRoots: Record<string, unknown> = {};
      for (const [root, value] of Object.entries(facts)) {
        if (value !== null && typeof value === 'object') objectRoots[root] = value;
      }
      const { events } = await engine.run(objectRoots);
      return events.map((e) => (e.params as { ruleIndex: number }).ruleIndex).sort((a, b) => a - b);
    } finally {
      this.idle.push(engine);
    }
  }
}
