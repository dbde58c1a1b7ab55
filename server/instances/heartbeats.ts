import type { Cluster, Redis } from 'ioredis';

/** One server instance as the others see it. Times are ISO strings of the wall clock. */
export interface InstanceRecord {
  id: string;
  host: string;
  pid: number;
  /** The policy revision it serves. */
  revision: string;
  startedAt: string;
  lastSeen: string;
}

/** An instance counts as running while its last heartbeat is this recent. */
export const INSTANCE_SEEN_MS = 30_000;
/** Records this stale are removed by whoever lists (an instance that died leaves no entry for ever). */
const FORGET_MS = 10 * 60_000;

/**
 * Heartbeats in one Redis hash, field = instance id, value = its record: every instance writes its
 * own every `everyMs` (and at once when its revision changes), any instance lists them. One key,
 * so it works the same on a cluster.
 */
export class Heartbeats {
  private readonly key: string;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly client: Redis | Cluster,
    prefix: string,
    private readonly self: () => Omit<InstanceRecord, 'lastSeen'>,
    private readonly onError: (err: unknown) => void,
    private readonly everyMs = 5000,
  ) {
    this.key = `${prefix}:instances`;
  }

  start(): void {
    void this.beat();
    this.timer = setInterval(() => void this.beat(), this.everyMs);
    this.timer.unref();
  }

  /** This instance's record as of now (what the next heartbeat writes). */
  own(): InstanceRecord {
    return { ...this.self(), lastSeen: new Date().toISOString() };
  }

  async beat(): Promise<void> {
    const record = this.own();
    await this.client.hset(this.key, record.id, JSON.stringify(record)).catch(this.onError);
  }

  /** The instances seen in the last INSTANCE_SEEN_MS, oldest start first. */
  async list(now = Date.now()): Promise<InstanceRecord[]> {
    const all = await this.client.hgetall(this.key);
    const seen: InstanceRecord[] = [];
    const forgotten: string[] = [];
    for (const [id, text] of Object.entries(all)) {
      const record = parse(text);
      const age = record === undefined ? Infinity : now - Date.parse(record.lastSeen);
      if (record !== undefined && age <= INSTANCE_SEEN_MS) seen.push(record);
      else if (age > FORGET_MS) forgotten.push(id);
    }
    if (forgotten.length > 0) await this.client.hdel(this.key, ...forgotten).catch(this.onError);
    return seen.sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.id.localeCompare(b.id));
  }

  /** Stops beating and removes this instance's record (a clean shutdown is not a silent one). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.client.hdel(this.key, this.self().id).catch(() => undefined);
  }
}

function parse(text: string): InstanceRecord | undefined {
  try {
    const record = JSON.parse(text) as InstanceRecord;
    return typeof record.id === 'string' && typeof record.lastSeen === 'string' ? record : undefined;
  } catch {
    return undefined;
  }
}
