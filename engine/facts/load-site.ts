/**
 * Reading a property whose name is only known at run time (a fact field, a merchant setting)
 * on the hot path. V8 caches a property load per source location: one shared `record[name]`
 * sees every name and goes megamorphic, a generic lookup several times slower. `load` gives
 * each name its own location (a switch of identical cases, on purpose) so each cache stays
 * monomorphic. Names get locations process-wide on first sight; past the last one, loads share
 * the default case and are merely as slow as a plain `record[name]`.
 */
const loadSites = new Map<string, number>();
const loadSiteCount = 32;

export function loadSiteFor(name: string): number {
  let site = loadSites.get(name);
  if (site === undefined) {
    site = loadSites.size < loadSiteCount ? loadSites.size : loadSiteCount;
    if (site < loadSiteCount) loadSites.set(name, site);
  }
  return site;
}

export function load(site: number, record: Readonly<Record<string, unknown>>, name: string): unknown {
  switch (site) {
    case 0: return record[name];
    case 1: return record[name];
    case 2: return record[name];
    case 3: return record[name];
    case 4: return record[name];
    case 5: return record[name];
    case 6: return record[name];
    case 7: return record[name];
    case 8: return record[name];
    case 9: return record[name];
    case 10: return record[name];
    case 11: return record[name];
    case 12: return record[name];
    case 13: return record[name];
    case 14: return record[name];
    case 15: return record[name];
    case 16: return record[name];
    case 17: return record[name];
    case 18: return record[name];
    case 19: return record[name];
    case 20: return record[name];
    case 21: return record[name];
    case 22: return record[name];
    case 23: return record[name];
    case 24: return record[name];
    case 25: return record[name];
    case 26: return record[name];
    case 27: return record[name];
    case 28: return record[name];
    case 29: return record[name];
    case 30: return record[name];
    case 31: return record[name];
    default: return record[name];
  }
}

/** Strings from split() are not internalized; a property key is, which spares every load an internalization check. */
export function internalized(name: string): string {
  return Object.keys({ [name]: 0 })[0]!;
}
