import { KeyboardEvent, useState } from 'react';
import { Text } from '@backstage/ui';
import { ModelVersion } from '@mlplatform/plugin-ml-platform-common';
import { useVersionColor } from '../shared';
import { formatDay } from '../ModelEntityContent/formatDay';
import {
  ServingShare,
  describeShares,
} from '../ModelEntityContent/servingShares';
import { layoutTimeline } from './layoutTimeline';

const WIDTH = 720;
const HEIGHT = 150;
const AXIS_Y = 92;

const describeVersion = (v: ModelVersion, shares?: ServingShare[]) =>
  [
    `v${v.version}`,
    `registered ${formatDay(v.createdAt)}`,
    v.aliases.length ? `aliases ${v.aliases.join(', ')}` : undefined,
    describeShares(shares),
    v.status,
  ]
    .filter(Boolean)
    .join(' · ');

const summarize = (
  marks: ReturnType<typeof layoutTimeline>,
  undated: number,
  shares: Map<string, ServingShare[]>,
) => {
  const parts = [
    `Versions timeline: ${marks.length} versions registered ${formatDay(
      marks[0].version.createdAt,
    )} to ${formatDay(marks[marks.length - 1].version.createdAt)}`,
  ];
  const aliased = marks.filter(m => m.version.aliases.length > 0);
  if (aliased.length) {
    parts.push(
      aliased
        .map(m => `${m.version.aliases.join(', ')} on v${m.version.version}`)
        .join(', '),
    );
  }
  const serving = marks.filter(m => shares.has(m.version.version));
  parts.push(
    serving.length
      ? `serving: ${serving
          .map(
            m =>
              `v${m.version.version} (${describeShares(
                shares.get(m.version.version),
              )})`,
          )
          .join(', ')}`
      : 'no version serves traffic',
  );
  if (undated) {
    parts.push(`${undated} without a registration date not drawn`);
  }
  return parts.join('; ');
};

/**
 * Versions over time: one mark per version at its registration, aliases on
 * their version, serving versions filled in their colour with their share.
 * The versions table below is the accessible equivalent; the chart itself
 * can be walked with the arrow keys.
 */
export const VersionsTimeline = ({
  versions,
  shares,
}: {
  versions: ModelVersion[];
  shares: Map<string, ServingShare[]>;
}) => {
  const colorOf = useVersionColor();
  const [active, setActive] = useState<number | undefined>();
  const marks = layoutTimeline(versions, {
    left: 40,
    right: WIDTH - 40,
    minGap: 44,
  });
  if (marks.length === 0) {
    return (
      <Text as="p" color="secondary">
        No version has a registration date to draw on a timeline.
      </Text>
    );
  }
  const current = active === undefined ? undefined : marks[active];

  const onKeyDown = (event: KeyboardEvent) => {
    const last = marks.length - 1;
    const moves: Record<string, number> = {
      ArrowRight: Math.min((active ?? -1) + 1, last),
      ArrowLeft: Math.max((active ?? last + 1) - 1, 0),
      Home: 0,
      End: last,
    };
    if (event.key in moves) {
      event.preventDefault();
      setActive(moves[event.key]);
    }
  };

  return (
    <figure style={{ margin: 0 }}>
      <svg
        role="img"
        aria-label={summarize(marks, versions.length - marks.length, shares)}
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        width="100%"
        style={{ maxWidth: WIDTH, display: 'block', outlineOffset: 2 }}
        tabIndex={0}
        onKeyDown={onKeyDown}
        onFocus={() => setActive(a => a ?? marks.length - 1)}
        onMouseLeave={() => setActive(undefined)}
      >
        <line
          x1={20}
          x2={WIDTH - 20}
          y1={AXIS_Y}
          y2={AXIS_Y}
          stroke="var(--bui-border-2, #999)"
        />
        {marks.map((m, i) => {
          const { version } = m.version;
          const share = shares.get(version);
          const total = share?.reduce((sum, s) => sum + s.percent, 0) ?? 0;
          const colour = colorOf(version).background;
          const isActive = i === active;
          return (
            <g
              key={version}
              data-version={version}
              onMouseEnter={() => setActive(i)}
              style={{ cursor: 'default' }}
            >
              {m.version.aliases.length > 0 && (
                <text
                  x={m.x}
                  y={34}
                  textAnchor="middle"
                  fontSize={12}
                  fontWeight="bold"
                  fill="var(--bui-fg-primary, currentColor)"
                >
                  {m.version.aliases.join(', ')}
                </text>
              )}
              {share && (
                <text
                  x={m.x}
                  y={66}
                  textAnchor="middle"
                  fontSize={12}
                  fill="var(--bui-fg-secondary, currentColor)"
                >
                  {share.length > 1
                    ? share.map(s => `${s.percent}%`).join(' / ')
                    : `${total}%`}
                </text>
              )}
              <circle
                cx={m.x}
                cy={AXIS_Y}
                r={share ? 10 : 6}
                fill={share ? colour : 'var(--bui-bg-app, #fff)'}
                stroke={share ? colour : 'var(--bui-fg-secondary, #666)'}
                strokeWidth={2}
              />
              {isActive && (
                <circle
                  cx={m.x}
                  cy={AXIS_Y}
                  r={15}
                  fill="none"
                  stroke="var(--bui-ring, var(--bui-fg-primary, #000))"
                  strokeWidth={2}
                />
              )}
              <text
                x={m.x}
                y={AXIS_Y + 28}
                textAnchor="middle"
                fontSize={13}
                fontWeight={share ? 'bold' : 'normal'}
                fill="var(--bui-fg-primary, currentColor)"
              >
                v{version}
              </text>
            </g>
          );
        })}
        <text
          x={marks[0].x}
          y={HEIGHT - 4}
          textAnchor="start"
          fontSize={11}
          fill="var(--bui-fg-secondary, currentColor)"
        >
          {formatDay(marks[0].version.createdAt)}
        </text>
        {marks.length > 1 && (
          <text
            x={marks[marks.length - 1].x}
            y={HEIGHT - 4}
            textAnchor="end"
            fontSize={11}
            fill="var(--bui-fg-secondary, currentColor)"
          >
            {formatDay(marks[marks.length - 1].version.createdAt)}
          </text>
        )}
      </svg>
      <figcaption aria-live="polite" style={{ minHeight: '1.5em' }}>
        <Text variant="body-small" color="secondary">
          {current
            ? describeVersion(
                current.version,
                shares.get(current.version.version),
              )
            : 'Filled marks serve traffic. Hover a version, or focus the chart and use the arrow keys, for its details.'}
        </Text>
      </figcaption>
    </figure>
  );
};
