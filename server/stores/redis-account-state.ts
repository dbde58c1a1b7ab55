import type { Cluster, Redis } from 'ioredis';
import type { AccountReader, AccountSnapshot, AccountStateStore, OrderMark, OrderMarks, Restriction, RestrictionAuditEntry, RestrictionLift } from '../../engine/index.js';
import type { RedisFeatureStore } from './redis-feature-store.js';

/**
 * Restrictions and order evidence marks live in the account's own hash (fields "x|r|<id>" and
 * "x|o|<orderId>|<mark>"), beside the feature log: a decision reads features, restrictions and
 * order marks with ONE HGETALL. A restriction's id also maps to its account ("<prefix>:rid:<id>")
 * so it can be lifted by id, and every change is appended to the audit stream.
 */
const addRestrictionLua = `
-- Expiry before the write: -2 no key yet, -1 persisted (a permanent restriction), else ms left.
local ttl = redis.call('PTTL', KEYS[1])
local created = redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2])
if created == 1 then
  local expiresAt = tonumber(ARGV[3])
  if expiresAt == 0 then
    redis.call('PERSIST', KEYS[1])
  else
    local want = expiresAt - tonumber(ARGV[4]) + tonumber(ARGV[5])
    if ttl ~= -1 and ttl < want then redis.call('PEXPIRE', KEYS[1], want) end
  end
  return {1, ARGV[2]}
end
return {0, redis.call('HGET', KEYS[1], ARGV[1])}
`;

// Answers {1, lifted} when this call lifted it, {0, stored} when it was lifted already (audited once).
const liftLua = `
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return false end
local r = cjson.decode(raw)
if r.status == 'lifted' then return {0, raw} end
r.status = 'lifted'
r.liftedAt = ARGV[2]
r.liftedBy = ARGV[3]
r.liftReason = ARGV[4]
if ARGV[5] ~= '' then r.liftNote = ARGV[5] end
raw = cjson.encode(r)
redis.call('HSET', KEYS[1], ARGV[1], raw)
return {1, raw}
`;

const markLua = `
local current = redis.call('HGET', KEYS[1], ARGV[1])
if (not current) or tonumber(current) > tonumber(ARGV[2]) then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
  if redis.call('PTTL', KEYS[1]) == -1 and redis.call('HLEN', KEYS[1]) == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
end
return 1
`;

type Scripted = {
  rgAddRestriction(key: string, field: string, json: string, expiresAt: number, now: number, retention: number): Promise<[number, string]>;
  rgLiftRestriction(key: string, field: string, at: string, by: string, reason: string, note: string): Promise<[number, string] | null>;
  rgMarkOrder(key: string, field: string, at: number, ttl: number): Promise<number>;
};

const markFields: Record<OrderMark, string> = { reportedAt: 'r', forgedAt: 'f', genuineAt: 'g' };
const markOfField: Record<string, OrderMark> = { r: 'reportedAt', f: 'forgedAt', g: 'genuineAt' };

export class RedisAccountStore implements AccountStateStore, AccountReader {
  private readonly scripted: Scripted;

  constructor(
    private readonly client: Redis | Cluster,
    private readonly features: RedisFeatureStore,
    private readonly prefix: string,
    private readonly clock: () => number = Date.now,
  ) {
    client.defineCommand('rgAddRestriction', { numberOfKeys: 1, lua: addRestrictionLua });
    client.defineCommand('rgLiftRestriction', { numberOfKeys: 1, lua: liftLua });
    client.defineCommand('rgMarkOrder', { numberOfKeys: 1, lua: markLua });
    this.scripted = client as unknown as Scripted;
  }

  async snapshot(accountId: string, asOf: number): Promise<AccountSnapshot> {
    return this.snapshotFromHash(await this.features.readAccountHash(accountId), asOf);
  }

  snapshotFromHash(flat: readonly string[], asOf: number): AccountSnapshot {
    const restrictions: Restriction[] = [];
    let orders: Map<string, OrderMarks> | undefined;
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const field = flat[i]!;
      if (!field.startsWith('x|')) continue;
      if (field.startsWith('x|r|')) restrictions.push(JSON.parse(flat[i + 1]!) as Restriction);
      else if (field.startsWith('x|o|')) {
        const last = field.lastIndexOf('|');
        const orderId = field.slice(4, last);
        const mark = markOfField[field.slice(last + 1)];
        if (mark === undefined) continue;
        orders ??= new Map();
        orders.set(orderId, { ...orders.get(orderId), [mark]: Number(flat[i + 1]) });
      }
    }
    return { features: this.features.featuresFromHash(flat, asOf), restrictions, orders: orders ?? new Map() };
  }

  async addRestriction(restriction: Restriction): Promise<{ restriction: Restriction; created: boolean }> {
    const key = this.features.accountKey(restriction.accountId);
    const expiresAt = restriction.expiresAt === null ? 0 : Date.parse(restriction.expiresAt);
    const [created, stored] = await this.scripted.rgAddRestriction(key, `x|r|${restriction.id}`, JSON.stringify(restriction), expiresAt, this.clock(), this.features.compiled.retentionMs);
    if (created === 1) {
      await this.client.set(this.restrictionIndexKey(restriction.id), restriction.accountId);
      await this.audit('restriction.created', restriction);
    }
    return { restriction: JSON.parse(stored) as Restriction, created: created === 1 };
  }

  async getRestriction(id: string): Promise<Restriction | undefined> {
    const accountId = await this.client.get(this.restrictionIndexKey(id));
    if (accountId === null) return undefined;
    const raw = await this.client.hget(this.features.accountKey(accountId), `x|r|${id}`);
    return raw === null ? undefined : (JSON.parse(raw) as Restriction);
  }

  async listRestrictions(accountId: string): Promise<Restriction[]> {
    return [...(await this.snapshot(accountId, this.clock())).restrictions];
  }

  async liftRestriction(id: string, lift: RestrictionLift): Promise<Restriction | undefined> {
    const accountId = await this.client.get(this.restrictionIndexKey(id));
    if (accountId === null) return undefined;
    const answer = await this.scripted.rgLiftRestriction(this.features.accountKey(accountId), `x|r|${id}`, lift.at, lift.by, lift.reason, lift.note ?? '');
    if (answer === null) return undefined;
    const [changed, raw] = answer;
    const restriction = JSON.parse(raw) as Restriction;
    if (changed === 1) await this.audit('restriction.lifted', restriction);
    return restriction;
  }

  async markOrder(accountId: string, orderId: string, mark: OrderMark, at: number): Promise<void> {
    await this.scripted.rgMarkOrder(this.features.accountKey(accountId), `x|o|${orderId}|${markFields[mark]}`, at, this.features.compiled.retentionMs);
  }

  private restrictionIndexKey(id: string): string {
    return `${this.prefix}:rid:${id}`;
  }

  /** Every change to restrictions, oldest first (of one account, or all); reads the whole bounded stream. */
  async auditTrail(accountId?: string): Promise<RestrictionAuditEntry[]> {
    const entries = await this.client.xrange(`${this.prefix}:audit`, '-', '+');
    const out: RestrictionAuditEntry[] = [];
    for (const [, flat] of entries) {
      const fields = new Map<string, string>();
      for (let i = 0; i + 1 < flat.length; i += 2) fields.set(flat[i]!, flat[i + 1]!);
      if (accountId !== undefined && fields.get('accountId') !== accountId) continue;
      out.push({ kind: fields.get('kind') as RestrictionAuditEntry['kind'], id: fields.get('id')!, accountId: fields.get('accountId')!, record: JSON.parse(fields.get('record')!) as Restriction });
    }
    return out;
  }

  /** Bounded audit trail of integrity changes (who, what, when). */
  private async audit(kind: string, restriction: Restriction): Promise<void> {
    await this.client.xadd(`${this.prefix}:audit`, 'MAXLEN', '~', '100000', '*', 'kind', kind, 'id', restriction.id, 'accountId', restriction.accountId, 'record', JSON.stringify(restriction));
  }
}
