// Consecutive versions a golden angle apart get hues far from each other.
const GOLDEN_ANGLE = 137.508;

const hash = (text: string) => {
  let h = 0;
  for (let i = 0; i < text.length; i++) {
    h = (h * 31 + text.charCodeAt(i)) | 0;
  }
  return Math.abs(h);
};

/**
 * The colour of a model version wherever it appears, the same on every page:
 * chosen from the version string only. Darker on light themes and lighter on
 * dark ones, each with a text colour that stays readable on it.
 */
export const versionColor = (
  version: string,
  mode: 'light' | 'dark',
): { background: string; color: string } => {
  const numeric = /^\d+$/.test(version) ? Number(version) : hash(version);
  const hue = Math.round((numeric * GOLDEN_ANGLE) % 360);
  return mode === 'dark'
    ? { background: `hsl(${hue}, 60%, 65%)`, color: '#111' }
    : { background: `hsl(${hue}, 65%, 36%)`, color: '#fff' };
};
