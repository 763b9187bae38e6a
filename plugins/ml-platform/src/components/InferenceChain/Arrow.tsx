/** The arrow between two steps of the chain: requests flow left to right. */
export const Arrow = () => (
  <li aria-hidden style={{ listStyle: 'none', alignSelf: 'center' }}>
    <svg width="36" height="16" viewBox="0 0 36 16">
      <line
        x1="0"
        y1="8"
        x2="28"
        y2="8"
        stroke="var(--bui-fg-secondary, #666)"
        strokeWidth="2"
      />
      <polygon points="28,3 36,8 28,13" fill="var(--bui-fg-secondary, #666)" />
    </svg>
  </li>
);
