/** Synthetic, deterministic order histories for the simulator (DESIGN §5, §6 `history generate`). */
export { generateHistory } from './generate.js';
export { generateHistoryToFile } from './to-file.js';
export { EVENT_TYPES } from './types.js';
export type { EventType, GenerationSummary, HistoryOptions } from './types.js';
export { ARCHETYPES } from './archetypes.js';
export type { Archetype } from './archetypes.js';
export { CATEGORIES } from './merchants.js';
export type { Category } from './merchants.js';
