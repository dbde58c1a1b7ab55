import type { Session } from './stores/index.js';

/** Per-request values of the console app: the signed-in person. */
export interface ConsoleEnv {
  Variables: { person: Session };
}
