import { spawnSync } from 'node:child_process';

/**
 * Makes sure this process runs with the given V8/Node `flags`, which only take effect at start-up.
 * When one is missing, runs the same script with the same arguments again in a child that has them
 * (terminal, environment and signals pass through) and ends this process as the child ended; it
 * does not return then. Returns when every flag is already set.
 */
export function ensureNodeFlags(flags: readonly string[]): void {
  if (flags.every((flag) => process.execArgv.includes(flag))) return;
  const script = process.argv[1];
  if (script === undefined) return; // node -e / a REPL: nothing to run again
  const child = spawnSync(process.execPath, [...flags, ...process.execArgv, script, ...process.argv.slice(2)], { stdio: 'inherit' });
  if (child.error !== undefined) throw child.error;
  if (child.signal !== null) process.kill(process.pid, child.signal);
  process.exit(child.status ?? 1);
}
