import type { Cluster, Redis } from 'ioredis';
import {
  encodeCursor,
  keyBounds,
  maxOrderRecords,
  sortKey,
  sortTimeOf,
  type Complaint,
  type EvidenceReport,
  type ListQuery,
  type Page,
  type RecordStore,
  type OrderRecord,
  type WorkflowStore,
} from '../../engine/workflows/index.js';

/**
 * Workflow records in Redis. Per kind (reports, complaints), all keys share one hash tag so the
 * scripts stay single-slot:
 *   <prefix>:wf:{<kind>}:rec:<id>        the record as JSON (never expires: it is the case file)
 *   <prefix>:wf:{<kind>}:idx:all         sorted set, score 0, members "<15-digit sort ms>|<id>"
 *   <prefix>:wf:{<kind>}:idx:<status>    the same, per status (ZRANGEBYLEX pages, ZLEXCOUNT counts)
 *   <prefix>:wf:{<kind>}:order:<n>:<account>:<order>  the same, per order of an account (n: the account id's length)
 * Creating and status changes are Lua scripts, so a record and its index entries never disagree
 * and two appraisals of one report cannot both win.
 */
const createLua = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX') then
  redis.call('ZADD', KEYS[2], 0, ARGV[2])
  redis.call('ZADD', KEYS[3], 0, ARGV[2])
  redis.call('ZADD', KEYS[4], 0, ARGV[2])
  return {1, ARGV[1]}
end
return {0, redis.call('GET', KEYS[1])}
`;

const replaceLua = `
local raw = redis.call('GET', KEYS[1])
if not raw then return false end
if cjson.decode(raw).status ~= ARGV[1] then return {0, raw} end
redis.call('SET', KEYS[1], ARGV[2])
if KEYS[2] ~= KEYS[3] then
  redis.call('ZREM', KEYS[2], ARGV[3])
  redis.call('ZADD', KEYS[3], 0, ARGV[3])
end
return {1, ARGV[2]}
`;

type Scripted = {
  rgWorkflowCreate(record: string, all: string, status: string, order: string, json: string, member: string): Promise<[number, string]>;
  rgWorkflowReplace(record: string, fromIndex: string, toIndex: string, expected: string, json: string, member: string): Promise<[number, string] | null>;
};

export class RedisRecordStore<T extends OrderRecord> implements RecordStore<T> {
  private readonly scripted: Scripted;
  private readonly base: string;

  constructor(
    private readonly client: Redis | Cluster,
    prefix: string,
    kind: string,
    private readonly sortTime: (record: T) => number,
  ) {
    client.defineCommand('rgWorkflowCreate', { numberOfKeys: 4, lua: createLua });
    client.defineCommand('rgWorkflowReplace', { numberOfKeys: 3, lua: replaceLua });
    this.scripted = client as unknown as Scripted;
    this.base = `${prefix}:wf:{${kind}}`;
  }

  async create(record: T): Promise<{ record: T; created: boolean }> {
    const [created, raw] = await this.scripted.rgWorkflowCreate(this.recordKey(record.id), this.indexKey(), this.indexKey(record.status), this.orderKey(record.accountId, record.orderId), JSON.stringify(record), this.member(record));
    return { record: JSON.parse(raw) as T, created: created === 1 };
  }

  async get(id: string): Promise<T | undefined> {
    const raw = await this.client.get(this.recordKey(id));
    return raw === null ? undefined : (JSON.parse(raw) as T);
  }

  async replace(next: T, expected: T['status']): Promise<{ record: T; replaced: boolean } | undefined> {
    const reply = await this.scripted.rgWorkflowReplace(this.recordKey(next.id), this.indexKey(expected), this.indexKey(next.status), expected, JSON.stringify(next), this.member(next));
    if (reply === null) return undefined;
    return { record: JSON.parse(reply[1]) as T, replaced: reply[0] === 1 };
  }

  async list(query: ListQuery<T['status']>): Promise<Page<T>> {
    const { min, max } = this.lexRange(query);
    const members = await this.client.zrangebylex(this.indexKey(query.status), min, max, 'LIMIT', 0, query.limit + 1);
    const page = members.slice(0, query.limit);
    if (page.length === 0) return { records: [], nextCursor: null };
    const raws = await this.client.mget(...page.map((m) => this.recordKey(m.slice(m.indexOf('|') + 1))));
    const records = raws.filter((r): r is string => r !== null).map((r) => JSON.parse(r) as T);
    return { records, nextCursor: members.length > query.limit ? encodeCursor(page[page.length - 1]!) : null };
  }

  async count(query: Omit<ListQuery<T['status']>, 'limit' | 'cursor'>): Promise<number> {
    const { min, max } = this.lexRange(query);
    return this.client.zlexcount(this.indexKey(query.status), min, max);
  }

  async forOrder(accountId: string, orderId: string, limit: number): Promise<T[]> {
    const n = Math.max(0, Math.min(limit, maxOrderRecords));
    if (n === 0) return [];
    const newestFirst = await this.client.zrevrangebylex(this.orderKey(accountId, orderId), '+', '-', 'LIMIT', 0, n);
    if (newestFirst.length === 0) return [];
    const raws = await this.client.mget(...newestFirst.reverse().map((m) => this.recordKey(m.slice(m.indexOf('|') + 1))));
    return raws.filter((r): r is string => r !== null).map((r) => JSON.parse(r) as T);
  }

  private lexRange(query: Omit<ListQuery<T['status']>, 'limit'>): { min: string; max: string } {
    const { min, minExclusive, maxExclusive } = keyBounds(query);
    return {
      min: min === '' && !minExclusive ? '-' : `${minExclusive ? '(' : '['}${min}`,
      max: maxExclusive === undefined ? '+' : `(${maxExclusive}`,
    };
  }

  private member(record: T): string {
    return sortKey(this.sortTime(record), record.id);
  }

  private recordKey(id: string): string {
    return `${this.base}:rec:${id}`;
  }

  /** The account id's length first, so no pair of ids shares a key. */
  private orderKey(accountId: string, orderId: string): string {
    return `${this.base}:order:${accountId.length}:${accountId}:${orderId}`;
  }

  private indexKey(status?: string): string {
    return status === undefined ? `${this.base}:idx:all` : `${this.base}:idx:${status}`;
  }
}

export class RedisWorkflowStore implements WorkflowStore {
  readonly reports: RedisRecordStore<EvidenceReport>;
  readonly complaints: RedisRecordStore<Complaint>;

  constructor(client: Redis | Cluster, prefix: string) {
    this.reports = new RedisRecordStore<EvidenceReport>(client, prefix, 'reports', sortTimeOf.reports);
    this.complaints = new RedisRecordStore<Complaint>(client, prefix, 'complaints', sortTimeOf.complaints);
  }
}
