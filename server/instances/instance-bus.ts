import { Cluster, type Redis, type RedisOptions } from 'ioredis';

/** A connection of the runtime: standalone Redis or a Redis Cluster (the bus uses PUBLISH and SUBSCRIBE only). */
export type SharedRedis = Redis | Cluster;

export interface BusHandlers {
  /** Another instance published policy publication `seq`. */
  policy(seq: number): void;
  /** Another instance wrote merchant `merchantId`'s settings. */
  merchant(merchantId: string): void;
  /**
   * The subscription is (again) in place. Messages sent while it was away are lost (pub/sub keeps
   * nothing), so whatever they could have said must be re-read now.
   */
  subscribed(): void;
}

/**
 * Notifications between instances over Redis pub/sub, on plain channel names (a cluster
 * broadcasts PUBLISH to every node, so no hash tag is needed or wanted). Pub/sub may drop a
 * message (a subscriber reconnecting, a full output buffer): every user of the bus has a backstop
 * (polling, a TTL), and the bus only makes things faster.
 */
export class InstanceBus {
  private readonly channels: { policy: string; merchants: string };

  private constructor(
    private readonly publisher: SharedRedis,
    private readonly subscriber: SharedRedis,
    prefix: string,
  ) {
    this.channels = { policy: `${prefix}:bus:policy`, merchants: `${prefix}:bus:merchants` };
  }

  /** A subscriber connection of its own (a subscribed connection can do nothing else), cloned from `publisher`'s settings. */
  static async open(publisher: SharedRedis, prefix: string, instanceId: string, handlers: BusHandlers, onError: (err: Error) => void): Promise<InstanceBus> {
    // Named after the instance (CLIENT LIST shows whose it is); it waits for a connection rather than
    // failing fast. It subscribes itself on every (re)connect: ioredis's own resubscription leaves
    // its promise unhandled, which a close during a reconnect would reject.
    const options: Partial<RedisOptions> = { connectionName: `refund-guard-sub:${instanceId}`, lazyConnect: true, enableOfflineQueue: true, maxRetriesPerRequest: null, autoResubscribe: false };
    const subscriber = publisher instanceof Cluster ? publisher.duplicate(undefined, { lazyConnect: true, enableOfflineQueue: true, redisOptions: options }) : publisher.duplicate(options);
    const bus = new InstanceBus(publisher, subscriber, prefix);
    subscriber.on('error', onError);
    subscriber.on('message', (channel: string, message: string) => {
      if (channel === bus.channels.policy) {
        const seq = Number(message);
        if (Number.isSafeInteger(seq)) handlers.policy(seq);
      } else if (channel === bus.channels.merchants) {
        handlers.merchant(message);
      }
    });
    const subscribe = (): Promise<void> =>
      subscriber.subscribe(bus.channels.policy, bus.channels.merchants).then(
        () => handlers.subscribed(),
        (err: Error) => onError(err),
      );
    let first: Promise<void> | undefined;
    subscriber.on('ready', () => void (first = subscribe()));
    await subscriber.connect().catch(onError);
    await first;
    return bus;
  }

  async announcePolicy(seq: number): Promise<void> {
    await this.publisher.publish(this.channels.policy, String(seq));
  }

  async announceMerchant(merchantId: string): Promise<void> {
    await this.publisher.publish(this.channels.merchants, merchantId);
  }

  /** Quits cleanly when connected; otherwise drops the connection (a queued QUIT would wait for Redis to return). */
  async close(): Promise<void> {
    if (this.subscriber.status === 'ready') await this.subscriber.quit().catch(() => this.subscriber.disconnect());
    else this.subscriber.disconnect();
  }
}
