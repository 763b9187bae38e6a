import { Text } from '@backstage/ui';
import { ModelVersion } from '@mlplatform/plugin-ml-platform-common';
import { formatDuration } from '../../lib/formatDuration';
import { useVersionColor } from '../shared';
import { median } from './median';

const WIDTH = 720;
const HEIGHT = 210;
const TOP = 28;
const BOTTOM = 170;
const LEFT = 16;
const RIGHT = WIDTH - 110;

const byRegistration = (a: ModelVersion, b: ModelVersion) =>
  Date.parse(a.createdAt ?? '') - Date.parse(b.createdAt ?? '') ||
  Number(a.version) - Number(b.version);

/**
 * Deployment lead time per version, from registration in the registry to the
 * first moment it served traffic, oldest version first so a shrinking lead
 * time reads left to right; the dashed line is the median.
 */
export const LeadTimeChart = ({ versions }: { versions: ModelVersion[] }) => {
  const colorOf = useVersionColor();
  const ordered = [...versions].sort(byRegistration);
  const measured = ordered
    .map(v => v.leadTimeSeconds)
    .filter((s): s is number => s !== undefined);
  const middle = median(measured);
  if (middle === undefined) {
    return (
      <Text as="p" color="secondary">
        No version has served traffic yet. Lead time is measured from a
        version's registration to the first moment it serves traffic in a
        configured cluster.
      </Text>
    );
  }
  const longest = Math.max(...measured, 1);
  const slot = (RIGHT - LEFT) / ordered.length;
  const barWidth = Math.min(56, slot * 0.7);
  const yOf = (seconds: number) =>
    BOTTOM - (seconds / longest) * (BOTTOM - TOP);
  const label = `Deployment lead time, registration to first serving traffic: ${ordered
    .map(
      v =>
        `v${v.version} ${
          v.leadTimeSeconds === undefined
            ? 'not served yet'
            : formatDuration(v.leadTimeSeconds)
        }`,
    )
    .join(', ')}; median ${formatDuration(middle)} over ${
    measured.length
  } served versions`;

  return (
    <svg
      role="img"
      aria-label={label}
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      width="100%"
      style={{ maxWidth: WIDTH, display: 'block' }}
    >
      <line
        x1={LEFT}
        x2={RIGHT}
        y1={BOTTOM}
        y2={BOTTOM}
        stroke="var(--bui-border-2, #999)"
      />
      {ordered.map((v, i) => {
        const x = LEFT + slot * i + (slot - barWidth) / 2;
        const centre = x + barWidth / 2;
        const seconds = v.leadTimeSeconds;
        return (
          <g key={v.version} data-version={v.version}>
            <title>
              {seconds === undefined
                ? `v${v.version}: not served yet`
                : `v${v.version}: ${formatDuration(
                    seconds,
                  )} from registration to first traffic`}
            </title>
            {seconds === undefined ? (
              <>
                <rect
                  x={x}
                  y={BOTTOM - 24}
                  width={barWidth}
                  height={24}
                  fill="none"
                  stroke="var(--bui-fg-secondary, #666)"
                  strokeDasharray="3 3"
                />
                <text
                  x={centre}
                  y={BOTTOM - 32}
                  textAnchor="middle"
                  fontSize={11}
                  fill="var(--bui-fg-secondary, currentColor)"
                >
                  not served yet
                </text>
              </>
            ) : (
              <>
                <rect
                  x={x}
                  y={yOf(seconds)}
                  width={barWidth}
                  height={Math.max(BOTTOM - yOf(seconds), 2)}
                  rx={3}
                  fill={colorOf(v.version).background}
                />
                <text
                  x={centre}
                  y={yOf(seconds) - 6}
                  textAnchor="middle"
                  fontSize={12}
                  fill="var(--bui-fg-primary, currentColor)"
                >
                  {formatDuration(seconds)}
                </text>
              </>
            )}
            <text
              x={centre}
              y={BOTTOM + 20}
              textAnchor="middle"
              fontSize={13}
              fill="var(--bui-fg-primary, currentColor)"
            >
              v{v.version}
            </text>
          </g>
        );
      })}
      <line
        x1={LEFT}
        x2={RIGHT + 8}
        y1={yOf(middle)}
        y2={yOf(middle)}
        stroke="var(--bui-fg-primary, #333)"
        strokeDasharray="6 4"
      />
      <text
        x={RIGHT + 12}
        y={yOf(middle) + 4}
        fontSize={12}
        fill="var(--bui-fg-primary, currentColor)"
      >
        median {formatDuration(middle)}
      </text>
    </svg>
  );
};
