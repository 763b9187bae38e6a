import { CSSProperties } from 'react';
import { shareText, splitText, VersionShare } from './splitText';
import { useVersionColor } from './useVersionColor';

type Size = 'small' | 'large';

const heights: Record<Size, number> = { small: 18, large: 32 };
// Below this share a segment is too narrow for its "v3 90%" text.
const minPercentForText: Record<Size, number> = { small: 22, large: 10 };

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
  versions: VersionShare[];
  /** Where the traffic flows, e.g. "prod / ml-prod"; shown above the bar. */
  label?: string;
  size?: Size;
}) => {
  const colorOf = useVersionColor();
  const serving = versions.filter(v => v.percent > 0);
  const description = splitText(versions);

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
          const text = shareText(v);
          return (
            <span
              key={v.version}
              title={text}
              data-version={v.version}
              style={{
                ...colorOf(v.version),
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
