import { ModelVersion } from '@mlplatform/plugin-ml-platform-common';
import { layoutTimeline } from './layoutTimeline';

const at = (version: string, createdAt?: string) =>
  ({ version, createdAt, aliases: [] } as unknown as ModelVersion);

describe('layoutTimeline', () => {
  const box = { left: 0, right: 100, minGap: 10 };

  it('places versions by registration time, oldest first', () => {
    const marks = layoutTimeline(
      [
        at('3', '2026-10-11T00:00:00Z'),
        at('1', '2026-10-01T00:00:00Z'),
        at('2', '2026-10-06T00:00:00Z'),
      ],
      box,
    );
    expect(marks.map(m => [m.version.version, m.x])).toEqual([
      ['1', 0],
      ['2', 50],
      ['3', 100],
    ]);
  });

  it('keeps versions registered minutes apart readable', () => {
    const marks = layoutTimeline(
      [
        at('1', '2026-10-01T00:00:00Z'),
        at('2', '2026-10-01T00:01:00Z'),
        at('3', '2026-10-11T00:00:00Z'),
      ],
      box,
    );
    expect(marks[1].x - marks[0].x).toBeGreaterThanOrEqual(10);
  });

  it('spaces evenly when time order alone would overflow', () => {
    const marks = layoutTimeline(
      [
        at('1', '2026-10-01T00:00:00Z'),
        at('2', '2026-10-11T00:00:00Z'),
        at('3', '2026-10-11T00:00:01Z'),
      ],
      { left: 0, right: 100, minGap: 60 },
    );
    expect(marks.map(m => m.x)).toEqual([0, 50, 100]);
  });

  it('leaves out versions without a registration date', () => {
    expect(
      layoutTimeline([at('1'), at('2', '2026-10-01T00:00:00Z')], box).map(
        m => m.x,
      ),
    ).toEqual([50]);
  });
});
