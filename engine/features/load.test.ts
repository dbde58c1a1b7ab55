import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatProblem } from '../problems.js';
import { featureNames, loadFeatureDefinitions } from './index.js';

const shipped = readFileSync(new URL('../../policies/features.yaml', import.meta.url), 'utf8');
const load = (text: string): string[] => {
  const r = loadFeatureDefinitions('f.yaml', text);
  return r.ok ? [] : r.problems.map(formatProblem);
};

describe('loadFeatureDefinitions', () => {
  it('loads the shipped policies/features.yaml with every required feature', () => {
    const r = loadFeatureDefinitions('policies/features.yaml', shipped);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(featureNames(r.definitions)).toEqual([
      'orders90d', 'refunds90d', 'refundRate90d', 'fastRefunds30d', 'refundAmount30d', 'forgedEvidence365d',
      'upheldComplaints365d', 'distinctMerchantsRefunded30d', 'accountAgeDays', 'linkedFlaggedAccounts365d', 'reusedEvidenceFingerprints365d',
    ]);
    expect(r.definitions.features.find((f) => f.name === 'fastRefunds30d')).toMatchObject({ kind: 'count', events: ['refund.requested'], windowDays: 30, where: [{ path: 'refund.type', values: ['fast_refund'] }] });
  });

  it('reports an unknown event type at its position', () => {
    expect(load('features:\n  a: { kind: count, events: order.placd, windowDays: 9 }\n')).toEqual([
      'f.yaml:2:29 feature_schema_error must be one of: order.placed, refund.requested, refund.completed, return.received, intervention.requested, evidence.reported, evidence.appraised, complaint.filed, complaint.resolved',
    ]);
  });

  it('reports an unknown property with the position of its key', () => {
    expect(load('features:\n  a:\n    kind: count\n    events: order.placed\n    windowDays: 9\n    windowdays: 3\n')).toEqual([
      'f.yaml:6:5 feature_schema_error unknown property "windowdays"',
    ]);
  });

  it('reports a duplicate feature name', () => {
    expect(load('features:\n  a: { kind: age }\n  a: { kind: age }\n')).toEqual(['f.yaml:3:3 feature_duplicate duplicate feature name (a key is defined twice)']);
  });

  it('reports unknown ratio operands and flaggedBy names that are not count features', () => {
    const problems = load([
      'features:',
      '  n: { kind: count, events: order.placed, windowDays: 9 }',
      '  r: { kind: ratio, numerator: n, denominator: missing }',
      '  l: { kind: linked, events: order.placed, via: [deviceId], flaggedBy: [r, nope], windowDays: 30 }',
    ].join('\n'));
    expect(problems).toEqual([
      'f.yaml:3:48 feature_unknown_reference unknown feature "missing"',
      'f.yaml:4:73 feature_unknown_reference flaggedBy must name count features; "r" is ratio',
      'f.yaml:4:76 feature_unknown_reference unknown feature "nope"',
    ]);
  });

  it('reports a cycle of ratios', () => {
    expect(load('features:\n  a: { kind: ratio, numerator: b, denominator: b }\n  b: { kind: ratio, numerator: a, denominator: a }\n')).toEqual([
      'f.yaml:2:3 feature_cycle features reference each other in a cycle: a -> b -> a',
    ]);
  });

  it('checks fields and filter values against the event schemas', () => {
    expect(load([
      'features:',
      '  a: { kind: count, events: refund.requested, windowDays: 3, where: { refund.type: fast_refunds } }',
      '  b: { kind: sum, events: refund.requested, field: refund.reason, windowDays: 3 }',
      '  c: { kind: distinct, events: [order.placed, refund.requested], field: deviceId, windowDays: 3 }',
      '  d: { kind: count, events: evidence.reported, windowDays: 3, where: { evidence.sha256: x } }',
    ].join('\n'))).toEqual([
      'f.yaml:2:84 feature_unknown_field "fast_refunds" is not a value of refund.requested.refund.type (fast_refund, refund_only, return_refund)',
      'f.yaml:3:52 feature_unknown_field sum needs a numeric field; refund.requested.refund.reason is string',
      'f.yaml:4:73 feature_unknown_field event refund.requested has no field "deviceId"',
      'f.yaml:5:89 feature_unknown_field where cannot filter on list field evidence.reported.evidence.sha256',
    ]);
  });

  it('reports YAML syntax errors with a position', () => {
    expect(load('features:\n  a: { kind: count\n')).toEqual([expect.stringMatching(/^f\.yaml:\d+:\d+ feature_yaml_error /)]);
  });
});
