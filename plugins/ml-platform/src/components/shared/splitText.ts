/** One version's share of traffic. */
export interface VersionShare {
  version: string;
  percent: number;
}

const versionLabel = (version: string) =>
  /^v/i.test(version) ? version : `v${version}`;

// Whole percents read best; a share that rounds to 0 still shows it flows.
const percentLabel = (percent: number) =>
  percent > 0 && percent < 1 ? '<1%' : `${Math.round(percent)}%`;

/** One version's share in words, e.g. "v5 90%". */
export const shareText = ({ version, percent }: VersionShare): string =>
  `${versionLabel(version)} ${percentLabel(percent)}`;

/** A split in words, e.g. "v5 90%, v6 10%"; versions at 0 are left out. */
export const splitText = (versions: VersionShare[]): string => {
  const serving = versions.filter(v => v.percent > 0);
  return serving.length === 0
    ? 'no traffic'
    : serving.map(shareText).join(', ');
};
