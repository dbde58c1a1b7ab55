import { A, PROFILES } from './archetypes.js';
import { draw, weighted } from './random.js';
import type { Random } from './random.js';

/**
 * Buyer accounts, their devices and addresses. Accounts accumulate over the period: a base
 * population exists at the start and new ones keep arriving, and every order is placed by
 * an existing account picked in proportion to its archetype's activity. Early accounts
 * therefore tend to have more orders, as long-standing customers do.
 *
 * Organised rings arrive as one unit of 3–8 accounts sharing 1–3 devices and 1–2
 * addresses; a few honest accounts share an address with another account (a household),
 * so a shared address alone is not proof of a ring.
 */

/** Average orders per account over the period; sets the expected number of accounts. */
const ORDERS_PER_ACCOUNT = 6;
/** Share of the expected accounts that already exist when the history starts. */
const INITIAL_SHARE = 0.4;
const HOUSEHOLD_SHARE = 0.04;
const SECOND_DEVICE_SHARE = 0.3;
/** Chance a ring member uses one of the ring's shared devices for an order. */
const RING_DEVICE_USE = 0.8;

const UNIT_MIX = weighted<number>(PROFILES.map((p, code) => [code, p.unitShare] as const));

export class Population {
  /** Archetype code per account (index = account number − 1). */
  readonly archetype: number[] = [];
  /** Ring index per account, −1 outside rings. */
  readonly ring: number[] = [];
  readonly ringDevices: number[][] = [];
  readonly ringAddresses: number[][] = [];
  /** Orders placed so far per account. */
  readonly orders: number[] = [];
  /** Own devices (0 = none) and home address per account. */
  private readonly device: number[] = [];
  private readonly device2: number[] = [];
  private readonly address: number[] = [];
  private nextDevice = 1;
  private nextAddress = 1;
  private readonly arrivalChance: number;
  private readonly activity: number[] = PROFILES.map((p) => p.activity);
  /** Accounts with at least one order. */
  buyers = 0;

  constructor(
    private readonly rng: Random,
    totalOrders: number,
  ) {
    const expected = Math.max(1, Math.ceil(totalOrders / ORDERS_PER_ACCOUNT));
    const initial = Math.max(1, Math.round(expected * INITIAL_SHARE));
    while (this.archetype.length < initial) this.addUnit();
    this.arrivalChance = totalOrders > 0 ? Math.max(0, expected - this.archetype.length) / totalOrders : 0;
  }

  get size(): number {
    return this.archetype.length;
  }

  /** The account placing the next order (possibly a newly arrived one). */
  pickBuyer(): number {
    let k: number;
    if (this.rng.next() < this.arrivalChance) {
      k = this.addUnit();
    } else {
      // Rejection sampling by activity: O(1) expected, no weight table to maintain as the pool grows.
      const n = this.archetype.length;
      for (;;) {
        k = Math.floor(this.rng.next() * n);
        if (this.rng.next() < this.activity[this.archetype[k]!]!) break;
      }
    }
    if (this.orders[k]!++ === 0) this.buyers++;
    return k;
  }

  deviceFor(k: number): number {
    const r = this.ring[k]!;
    const own = this.device[k]!;
    if (r >= 0 && (own === 0 || this.rng.next() < RING_DEVICE_USE)) return pickOne(this.ringDevices[r]!, this.rng);
    const second = this.device2[k]!;
    return second !== 0 && this.rng.next() < 0.35 ? second : own;
  }

  addressFor(k: number): number {
    const r = this.ring[k]!;
    return r >= 0 ? pickOne(this.ringAddresses[r]!, this.rng) : this.address[k]!;
  }

  /** Adds one arrival unit (an account, or a whole ring) and returns its first account. */
  private addUnit(): number {
    const code = draw(this.rng, UNIT_MIX);
    if (code === A.ring) return this.addRing();
    const k = this.addAccount(code, -1);
    const n = this.archetype.length - 1;
    if ((code === A.honest || code === A.occasionalReturner) && n > 0 && this.rng.next() < HOUSEHOLD_SHARE) {
      const other = Math.floor(this.rng.next() * n);
      if (this.ring[other]! < 0) this.address[k] = this.address[other]!;
    }
    return k;
  }

  private addRing(): number {
    const r = this.ringDevices.length;
    const devices = Array.from({ length: this.rng.int(1, 3) }, () => this.nextDevice++);
    const addresses = Array.from({ length: this.rng.int(1, 2) }, () => this.nextAddress++);
    this.ringDevices.push(devices);
    this.ringAddresses.push(addresses);
    const size = this.rng.int(3, 8);
    const first = this.archetype.length;
    for (let i = 0; i < size; i++) {
      const k = this.addAccount(A.ring, r);
      if (this.rng.next() < 0.5) this.device[k] = 0; // some members only ever use the shared phones
    }
    return first;
  }

  private addAccount(code: number, ring: number): number {
    const k = this.archetype.length;
    this.archetype.push(code);
    this.ring.push(ring);
    this.orders.push(0);
    this.device.push(this.nextDevice++);
    this.device2.push(this.rng.next() < SECOND_DEVICE_SHARE ? this.nextDevice++ : 0);
    this.address.push(this.nextAddress++);
    return k;
  }
}

function pickOne(values: readonly number[], rng: Random): number {
  return values[Math.floor(rng.next() * values.length)]!;
}
