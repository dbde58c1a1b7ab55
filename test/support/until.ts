/**
 * Waits on a condition instead of a fixed sleep, which flakes on a loaded machine: polls until it
 * holds, or throws after `timeoutMs` naming what was awaited.
 */
export async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 10_000, everyMs = 25): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
