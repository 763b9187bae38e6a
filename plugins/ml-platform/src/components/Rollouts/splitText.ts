import { RolloutSplit } from '@mlplatform/plugin-ml-platform-common';

/** A split in words, e.g. "v5 90%, v6 10%"; versions at 0 are left out. */
export const splitText = (split?: RolloutSplit): string => {
  if (!split) {
    return 'unknown';
  }
  const serving = split.versions.filter(v => v.percent > 0);
  return serving.length === 0
    ? 'no traffic'
    : serving.map(v => `v${v.version} ${v.percent}%`).join(', ');
};
