import { generateHistory } from './generate.js';
import type { GenerationSummary, HistoryOptions } from './types.js';

/** A generated event as parsed from its line; only tests read histories this way. */
export type Parsed = Record<string, unknown> & { eventId: string; type: string; at: string };

export function collect(options: HistoryOptions): { lines: string[]; events: Parsed[]; summary: GenerationSummary } {
  const lines: string[] = [];
  const summary = generateHistory(options, (line) => lines.push(line));
  return { lines, events: lines.map((l) => JSON.parse(l) as Parsed), summary };
}

export const seconds = (iso: string): number => Date.parse(iso) / 1000;
