import { CSSProperties } from 'react';
import { MlTool } from '@mlplatform/plugin-ml-platform-common';

const looks: Record<'up' | 'down' | 'unchecked', CSSProperties> = {
  up: {
    color: 'var(--bui-positive-fg-subdued)',
    background: 'var(--bui-positive-bg-subdued)',
  },
  down: {
    color: 'var(--bui-negative-fg-subdued)',
    background: 'var(--bui-negative-bg-subdued)',
  },
  unchecked: {
    color: 'var(--bui-fg-secondary)',
    background: 'var(--bui-bg-neutral-2)',
  },
};

const describe = (tool: MlTool) => {
  if (tool.healthy === true) {
    return { look: 'up' as const, label: 'ok' };
  }
  if (tool.healthy === false) {
    return { look: 'down' as const, label: 'down' };
  }
  return { look: 'unchecked' as const, label: 'not checked' };
};

/** Whether a tool answered its last health probe, with when and why not. */
export const ToolHealth = ({ tool }: { tool: MlTool }) => {
  const { look, label } = describe(tool);
  const checked = tool.checkedAt
    ? `checked ${new Date(tool.checkedAt).toLocaleString()}`
    : 'never checked';
  const detail = [tool.error, checked].filter(Boolean).join('; ');
  return (
    <span
      role="img"
      aria-label={`${tool.name} health: ${label}; ${detail}`}
      title={detail}
      style={{
        ...looks[look],
        padding: '0 var(--bui-space-2, 8px)',
        borderRadius: 'var(--bui-radius-full, 999px)',
        fontSize: 'var(--bui-font-size-2, 0.75rem)',
        whiteSpace: 'nowrap',
      }}
    >
      {label}
    </span>
  );
};
