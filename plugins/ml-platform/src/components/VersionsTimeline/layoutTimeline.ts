import { ModelVersion } from '@mlplatform/plugin-ml-platform-common';

export interface TimelineMark {
  version: ModelVersion;
  time: number;
  x: number;
}

/**
 * Places versions left to right by registration time, but never closer than
 * `minGap`: versions registered minutes apart would otherwise sit on top of
 * each other with unreadable labels.
 */
export function layoutTimeline(
  versions: ModelVersion[],
  options: { left: number; right: number; minGap: number },
): TimelineMark[] {
  const { left, right, minGap } = options;
  const dated = versions
    .map(version => ({ version, time: Date.parse(version.createdAt ?? '') }))
    .filter(m => !Number.isNaN(m.time))
    .sort((a, b) => a.time - b.time);
  if (dated.length === 0) {
    return [];
  }
  const first = dated[0].time;
  const span = dated[dated.length - 1].time - first;
  const width = right - left;
  if (span === 0) {
    const step = dated.length > 1 ? width / (dated.length - 1) : 0;
    return dated.map((m, i) => ({
      ...m,
      x: dated.length > 1 ? left + i * step : (left + right) / 2,
    }));
  }
  const marks = dated.map(m => ({
    ...m,
    x: left + ((m.time - first) / span) * width,
  }));
  for (let i = 1; i < marks.length; i++) {
    marks[i].x = Math.max(marks[i].x, marks[i - 1].x + minGap);
  }
  if (marks[marks.length - 1].x > right) {
    // Too crowded for time scale: keep the order, space evenly.
    const step = width / (marks.length - 1);
    marks.forEach((m, i) => {
      m.x = left + i * step;
    });
  }
  return marks;
}
