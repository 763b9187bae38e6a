/**
 * Turns proportional weights into percentages with one decimal that add up to
 * exactly 100 (largest remainder method), or all 0 when no weight is positive.
 * Rounding each share on its own could show 33.3 + 33.3 + 33.3 = 99.9.
 * @public
 */
export function splitPercentages(weights: number[]): number[] {
  const clean = weights.map(w => (Number.isFinite(w) && w > 0 ? w : 0));
  const total = clean.reduce((sum, w) => sum + w, 0);
  if (total === 0) {
    return clean.map(() => 0);
  }
  const tenths = clean.map(w => (w / total) * 1000);
  const floors = tenths.map(Math.floor);
  let missing = 1000 - floors.reduce((sum, t) => sum + t, 0);
  const byRemainder = tenths
    .map((t, index) => ({ index, remainder: t - Math.floor(t) }))
    .sort((a, b) => b.remainder - a.remainder || a.index - b.index);
  for (const { index } of byRemainder) {
    if (missing <= 0) break;
    floors[index] += 1;
    missing -= 1;
  }
  return floors.map(t => t / 10);
}
