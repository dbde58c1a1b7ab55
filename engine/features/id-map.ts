import { CodeTable } from './code-table.js';
import { idCode, type IdOrCode } from './id-code.js';

/**
 * A map keyed by ids: an id with an idCode (up to 8 characters of the id alphabet) is found by that
 * number in a CodeTable, any other by its string. A key may be given as its code (an IdOrCode), which
 * the caller may already hold: then no string is read at all. Ids fresh from a parsed line are looked
 * up once per decision or event in these; a Map keyed by them reads the stored key strings, this reads
 * one array.
 */
export class IdMap<V> {
  private readonly byCode: CodeTable;
  private readonly coded: V[] = [];
  private readonly byId = new Map<string, V>();

  /** `expectedKeys`: about how many ids it will hold (see CodeTable). */
  constructor(expectedKeys = 0) {
    this.byCode = new CodeTable(expectedKeys);
  }

  get(key: IdOrCode): V | undefined {
    const code = typeof key === 'number' ? key : idCode(key);
    if (code > 0) {
      const at = this.byCode.get(code);
      return at < 0 ? undefined : this.coded[at];
    }
    return this.byId.get(key as string);
  }

  set(key: IdOrCode, value: V): void {
    const code = typeof key === 'number' ? key : idCode(key);
    if (code > 0) {
      const at = this.byCode.get(code);
      if (at >= 0) this.coded[at] = value;
      else {
        this.byCode.add(code, this.coded.length);
        this.coded.push(value);
      }
      return;
    }
    this.byId.set(key as string, value);
  }

  clear(): void {
    this.byCode.clear();
    this.coded.length = 0;
    this.byId.clear();
  }
}
