import { CodeTable } from './code-table.js';
import { idCode } from './id-code.js';

/**
 * A map keyed by ids: an id with an idCode (up to 8 characters of the id alphabet) is found by that
 * number in a CodeTable, any other by its string. Ids fresh from a parsed line are looked up once per
 * decision in several of these; a Map keyed by them reads the stored key strings, this reads one array.
 */
export class IdMap<V> {
  private readonly byCode = new CodeTable();
  private readonly coded: V[] = [];
  private readonly byId = new Map<string, V>();

  get(id: string): V | undefined {
    const code = idCode(id);
    if (code > 0) {
      const at = this.byCode.get(code);
      return at < 0 ? undefined : this.coded[at];
    }
    return this.byId.get(id);
  }

  set(id: string, value: V): void {
    const code = idCode(id);
    if (code > 0) {
      const at = this.byCode.get(code);
      if (at >= 0) this.coded[at] = value;
      else {
        this.byCode.add(code, this.coded.length);
        this.coded.push(value);
      }
      return;
    }
    this.byId.set(id, value);
  }
}
