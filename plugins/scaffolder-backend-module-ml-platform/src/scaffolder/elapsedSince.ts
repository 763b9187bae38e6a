import type { TaskStart } from './readTaskStart';

/** Seconds from a stored start to now, to the tenth, and for people. */
export type Elapsed = {
  atMost: number;
  /** Only when the start is known to less than a tenth of a second. */
  atLeast?: number;
  text: string;
};

/**
 * The time since a start that may be known only to the second. Rounds
 * outwards, so that the true duration always lies within what is shown.
 */
export function elapsedSince(start: TaskStart, now: number): Elapsed {
  const atMost = Math.ceil((now - start.at) / 100) / 10;
  if (start.resolutionMs < 100) {
    return { atMost, text: `${atMost.toFixed(1)} s` };
  }
  const atLeast = Math.max(
    0,
    Math.floor((now - start.at - start.resolutionMs) / 100) / 10,
  );
  return {
    atMost,
    atLeast,
    text: `${atLeast.toFixed(1)}–${atMost.toFixed(1)} s`,
  };
}
