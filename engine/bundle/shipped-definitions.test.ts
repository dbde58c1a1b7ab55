import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { borrowedNotes, completeWithShippedDefinitions, shippedDefinitions, shippedPolicyDirectory } from './shipped-definitions.js';

const shipped = [
  { path: '/pkg/policies/features.yaml', text: 'features: {}\n' },
  { path: '/pkg/policies/cohorts.yaml', text: 'cohorts: {}\n' },
];
const policy = { path: 'draft/p.yaml', text: 'id: p\n' };

describe('completeWithShippedDefinitions', () => {
  it('borrows each definition file a directory of policies lacks', () => {
    const done = completeWithShippedDefinitions([policy], shipped);
    expect(done.borrowed).toEqual(shipped);
    expect(done.sources).toEqual([...shipped, policy]);
    expect(borrowedNotes('draft', done.borrowed)).toEqual([
      'draft has no features.yaml: using the shipped definitions in /pkg/policies/features.yaml',
      'draft has no cohorts.yaml: using the shipped definitions in /pkg/policies/cohorts.yaml',
    ]);
  });

  it("keeps the directory's own file, valid or not, and borrows only the other one", () => {
    const own = { path: 'draft/features.yml', text: 'not: [valid\n' };
    const done = completeWithShippedDefinitions([own, policy], shipped);
    expect(done.borrowed).toEqual([shipped[1]]);
    expect(done.sources).toEqual([shipped[1], own, policy]);
  });

  it('leaves a directory without policies as it is', () => {
    expect(completeWithShippedDefinitions([], shipped)).toEqual({ sources: [], borrowed: [] });
    const onlyTests = [{ path: 'draft/p.test.yaml', text: 'cases: []\n' }];
    expect(completeWithShippedDefinitions(onlyTests, shipped)).toEqual({ sources: onlyTests, borrowed: [] });
  });

  it("finds the policies/ directory beside this package's package.json", () => {
    expect(shippedPolicyDirectory()).toBe(resolve('policies'));
    expect(shippedDefinitions().map((s) => s.path).sort()).toEqual([resolve('policies/cohorts.yaml'), resolve('policies/features.yaml')]);
  });
});
