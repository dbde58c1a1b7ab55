export { parsePolicyTestFile, runPolicyTestCase, defaultTestClock, normalizeInstant, type PolicyTestCase, type PolicyTestResult, type ParsedTestFile } from './policy-tests.js';
