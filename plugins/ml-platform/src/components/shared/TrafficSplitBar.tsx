import { CSSProperties } from 'react';
import { useTheme } from '@material-ui/core/styles';
import { versionColor } from './versionColor';

type Size = 'small' | 'large';

const heights: Record<Size, number> = { small: 18, large: 32 };
// Below this share a segment is too narrow for its "v3 90%" text.
const minPercentForText: Record<Size, number> = { small: 22, large: 10 };

const versionLabel = (version: string) =>
  /^v/i.test(version) ? version : `v${version}`;

// Whole percents read best; a share that rounds to 0 still shows it flows.
const percentLabel = (percent: number) =>
  percent > 0 && percent < 1 ? '<1%' : `${Math.round(percent)}%`;

const barStyle = (size: Size): CSSProperties => ({
  display: 'flex',
  width: '100%',
  minWidth: size === 'small' ? 120 : 240,
  height: heights[size],
  borderRadius: 'var(--bui-radius-2, 4px)',
  overflow: 'hidden',
  background: 'var(--bui-bg-neutral-2)',
  fontSize: size === 'small' ? '0.7rem' : '0.85rem',
  lineHeight: `${heights[size]}px`,
});

/**
 * How a deployment splits traffic between versions, as one stacked bar. Each
 * version keeps its colour everywhere, so "v4" looks the same on every page.
 */
export const TrafficSplitBar = ({
  versions,
  label,
  size = 'small',
}: {
  versions: Array<{ version: string; percent: number }>;
  /** Where the traffic flows, e.g. "prod / ml-prod"; shown above the bar. */
  label?: string;
  size?: Size;
}) => {
  const mode = useTheme()?.palette?.type === 'dark' ? 'dark' : 'light';
  const serving = versions.filter(v => v.percent > 0);
  const description =
    serving.length === 0
      ? 'no traffic'
      : serving
          .map(v => `${versionLabel(v.version)} ${percentLabel(v.percent)}`)
          .join(', ');

  return (
    <div style={{ width: '100%' }}>
      {label && (
        <div
          style={{ fontSize: '0.75rem', color: 'var(--bui-fg-secondary)' }}
          aria-hidden
        >
          {label}
        </div>
      )}
      <div
        role="img"
        aria-label={`traffic: ${description}${label ? ` in ${label}` : ''}`}
        style={barStyle(size)}
      >
        {serving.length === 0 && (
          <span
            style={{
              width: '100%',
              textAlign: 'center',
              color: 'var(--bui-fg-secondary)',
            }}
          >
            no traffic
          </span>
        )}
        {serving.map(v => {
          const text = `${versionLabel(v.version)} ${percentLabel(v.percent)}`;
          return (
            <span
              key={v.version}
              title={text}
              data-version={v.version}
              style={{
                ...versionColor(v.version, mode),
                width: `${v.percent}%`,
                overflow: 'hidden',
                whiteSpace: 'nowrap',
                textOverflow: 'clip',
                textAlign: 'center',
              }}
            >
              {v.percent >= minPercentForText[size] ? text : ''}
            </span>
          );
        })}
      </div>
    </div>
  );
};
