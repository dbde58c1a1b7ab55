import { existsSync } from 'node:fs';
import { expect, it } from 'vitest';

/** Debian's Chromium, which the browser tests drive; RG_TEST_CHROMIUM points elsewhere. */
export const CHROMIUM = process.env['RG_TEST_CHROMIUM'] || '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);
/** Under CI=true a browser test may not skip: a green CI run must mean the page was rendered. */
export const chromiumRequired = process.env['CI'] === 'true';

/**
 * Call at the top of a browser test file. Outside CI a missing browser skips that file's browser
 * tests, saying so; under CI=true it adds a test that fails, naming the browser and how to get it.
 */
export function requireChromium(file: string): { skip: boolean } {
  if (!hasChromium && !chromiumRequired) console.warn(`${file}: skipped, ${CHROMIUM} is absent (apt-get install -y chromium)`);
  if (chromiumRequired) {
    it('has the browser it needs (CI=true: a missing Chromium fails the run)', () => {
      expect(hasChromium, `${CHROMIUM} is absent; install it with apt-get install -y chromium`).toBe(true);
    });
  }
  return { skip: !hasChromium };
}
