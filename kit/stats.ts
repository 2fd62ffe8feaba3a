/**
 * Summaries of timing samples, for the benches.
 *
 * @module
 */

/** min / median / max in milliseconds. */
export interface Stats {
  /** Fastest run. */
  readonly min: number;
  /** Median run. */
  readonly median: number;
  /** Slowest run. */
  readonly max: number;
}

/**
 * Summarises samples.
 *
 * @param samples Durations in ms.
 * @returns min, median, max.
 */
export function stats(samples: readonly number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 === 1
    ? s[mid] as number
    : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
  return { min: s[0] as number, median, max: s[s.length - 1] as number };
}
