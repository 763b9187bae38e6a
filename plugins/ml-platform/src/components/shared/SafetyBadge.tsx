import { CSSProperties } from 'react';
import { SerializationSafety } from '@mlplatform/plugin-ml-platform-common';

// Theme tokens of @backstage/ui, so the badge follows light and dark themes.
const looks: Record<SerializationSafety, CSSProperties> = {
  safe: {
    color: 'var(--bui-positive-fg-subdued)',
    background: 'var(--bui-positive-bg-subdued)',
    borderColor: 'var(--bui-positive-border)',
  },
  unsafe: {
    color: 'var(--bui-negative-fg-subdued)',
    background: 'var(--bui-negative-bg-subdued)',
    borderColor: 'var(--bui-negative-border)',
  },
  unknown: {
    color: 'var(--bui-fg-secondary)',
    background: 'var(--bui-bg-neutral-2)',
    borderColor: 'var(--bui-border, currentColor)',
  },
};

const baseStyle: CSSProperties = {
  display: 'inline-block',
  padding: '0 var(--bui-space-2, 8px)',
  border: '1px solid',
  borderRadius: 'var(--bui-radius-full, 999px)',
  fontSize: 'var(--bui-font-size-2, 0.75rem)',
  lineHeight: 1.6,
  whiteSpace: 'nowrap',
  cursor: 'default',
};

/**
 * How safely a model loads: safe (green), unsafe (red: loading runs pickle)
 * or unknown (grey). The reason shows on hover and is read by screen readers.
 */
export const SafetyBadge = ({
  safety,
  reason,
}: {
  safety?: SerializationSafety;
  reason?: string;
}) => {
  const verdict = safety ?? 'unknown';
  const description = reason ?? 'No serialization verdict for this model.';
  return (
    <span
      role="img"
      aria-label={`Serialization ${verdict}: ${description}`}
      title={description}
      data-safety={verdict}
      style={{ ...baseStyle, ...looks[verdict] }}
    >
      {verdict}
    </span>
  );
};
