/**
 * `cut` as a string that keeps nothing else alive. V8 cuts 13 characters or more out of a string as a
 * view holding on to the whole string it was cut from: a value kept from a line, or from a batch's
 * joined text, would keep all of that text. A copy costs about 70 ns.
 */
export function ownCopy(cut: string): string {
  return cut.length < 13 ? cut : (' ' + cut).slice(1);
}
