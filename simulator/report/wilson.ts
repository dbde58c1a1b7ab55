/**
 * Wilson score interval (95%) for a proportion of `successes` in `trials`. Unlike the normal
 * approximation it stays inside [0, 1] and behaves at small counts, which is where a pilot
 * cohort's precision lives. No trials → [0, 1]: nothing is known.
 */
export function wilson95(successes: number, trials: number): [number, number] {
  if (trials <= 0) return [0, 1];
  const z = 1.959963984540054;
  const p = successes / trials;
  const z2n = (z * z) / trials;
  const centre = (p + z2n / 2) / (1 + z2n);
  const half = (z * Math.sqrt((p * (1 - p)) / trials + z2n / (4 * trials))) / (1 + z2n);
  return [round6(Math.max(0, centre - half)), round6(Math.min(1, centre + half))];
}

export function ratio(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : round6(numerator / denominator);
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
