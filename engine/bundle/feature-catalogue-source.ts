import type { LoadedYaml } from '../load/yaml-document.js';
import type { Problem } from '../problems.js';

/** Interim: feature names from features.yaml until engine/features lands. */
export interface LoadedFeatures {
  names: string[];
  definitions: unknown;
}

export function loadFeaturesFromDoc(doc: LoadedYaml): { ok: true; features: LoadedFeatures } | { ok: false; problems: Problem[] } {
  const value = doc.value as { features?: Record<string, unknown> } | null;
  return { ok: true, features: { names: Object.keys(value?.features ?? {}), definitions: value } };
}
