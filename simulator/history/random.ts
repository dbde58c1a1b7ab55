/**
 * Seeded pseudo-random numbers. The generator must be byte-for-byte reproducible from a
 * seed, so nothing here touches Math.random. sfc32 is small, fast and passes PractRand
 * well beyond the few million draws a history needs.
 */

export interface Random {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform unsigned 32-bit integer. */
  uint32(): number;
  /** Uniform integer in [min, max] (both inclusive). */
  int(min: number, max: number): number;
  /** Uniform float in [min, max). */
  between(min: number, max: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  /** Standard normal draw (Box–Muller; the second value is discarded for simplicity). */
  normal(): number;
  /** 64 lowercase hex characters, shaped like a SHA-256 digest. */
  sha256(): string;
}

/** Hashes any seed to four 32-bit words (cyrb128), so "7" and 7 give the same stream. */
function seedWords(seed: number | string): [number, number, number, number] {
  const text = String(seed);
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

export function createRandom(seed: number | string): Random {
  let [a, b, c, d] = seedWords(seed);

  const uint32 = (): number => {
    a |= 0;
    b |= 0;
    c |= 0;
    d |= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  const next = (): number => uint32() / 4294967296;

  // Warm up: the first outputs of sfc32 are correlated with the seed words.
  for (let i = 0; i < 15; i++) uint32();

  return {
    next,
    uint32,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    between: (min, max) => min + next() * (max - min),
    chance: (p) => next() < p,
    normal: () => {
      const u = 1 - next(); // (0, 1]: log(0) would be -Infinity
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
    },
    sha256: () => {
      let hex = '';
      for (let i = 0; i < 8; i++) hex += uint32().toString(16).padStart(8, '0');
      return hex;
    },
  };
}

/**
 * A fixed discrete distribution. Cumulative weights are precomputed once so a draw is a
 * short linear scan (the tables here have at most a handful of entries).
 */
export interface Weighted<T> {
  readonly values: readonly T[];
  readonly cumulative: Float64Array;
}

export function weighted<T>(table: ReadonlyArray<readonly [T, number]>): Weighted<T> {
  if (table.length === 0) throw new Error('weighted(): empty table');
  const cumulative = new Float64Array(table.length);
  let total = 0;
  table.forEach(([, w], i) => {
    total += w;
    cumulative[i] = total;
  });
  for (let i = 0; i < cumulative.length; i++) cumulative[i] = cumulative[i]! / total;
  cumulative[cumulative.length - 1] = 1; // guard against rounding leaving a gap at the top
  return { values: table.map(([v]) => v), cumulative };
}

export function draw<T>(rng: Random, dist: Weighted<T>): T {
  const u = rng.next();
  const { cumulative, values } = dist;
  let i = 0;
  while (u >= cumulative[i]!) i++;
  return values[i]!;
}
