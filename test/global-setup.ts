import type { TestProject } from 'vitest/node';
import { MissingServiceError, prepareTestServices } from './support/test-services.js';

declare module 'vitest' {
  export interface ProvidedContext {
    REDIS_URL: string;
    TEST_POSTGRES_URL: string;
  }
}

/**
 * vitest globalSetup: before any test file runs, make sure Redis and PostgreSQL answer — the ones
 * configured, or private instances started here and stopped after the run — and hand their URLs
 * to the test processes, as environment variables (which forked workers and the servers tests
 * spawn inherit) and through provide/inject. When neither can be had, the run stops with one line.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let services;
  try {
    services = await prepareTestServices(process.env);
  } catch (err) {
    if (!(err instanceof MissingServiceError)) throw err;
    process.stderr.write(`npm test cannot run: ${err.message}\n`);
    process.exit(1);
  }
  for (const note of services.notes) if (note.includes('private')) process.stderr.write(`test services: ${note}\n`);
  Object.assign(process.env, services.env);
  project.provide('REDIS_URL', services.env.REDIS_URL);
  project.provide('TEST_POSTGRES_URL', services.env.TEST_POSTGRES_URL);
  return services.stop;
}
