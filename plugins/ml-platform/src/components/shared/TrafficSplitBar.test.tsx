import { screen } from '@testing-library/react';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { TrafficSplitBar } from './TrafficSplitBar';
import { versionColor } from './versionColor';

describe('TrafficSplitBar', () => {
  it('shows one segment per serving version, sized by its share', async () => {
    renderInTestApp(
      <TrafficSplitBar
        label="prod / ml-prod"
        versions={[
          { version: '3', percent: 90 },
          { version: '4', percent: 10 },
          { version: '2', percent: 0 },
        ]}
      />,
    );
    const bar = await screen.findByRole('img', {
      name: 'traffic: v3 90%, v4 10% in prod / ml-prod',
    });
    const segments = bar.querySelectorAll('[data-version]');
    expect([...segments].map(s => s.getAttribute('data-version'))).toEqual([
      '3',
      '4',
    ]);
    expect(segments[0]).toHaveStyle({ width: '90%' });
    expect(segments[1]).toHaveStyle({ width: '10%' });
    // The wide segment has room for its text, the narrow one only a tooltip.
    expect(segments[0]).toHaveTextContent('v3 90%');
    expect(segments[1]).toHaveTextContent('');
    expect(segments[1]).toHaveAttribute('title', 'v4 10%');
    expect(screen.getByText('prod / ml-prod')).toBeInTheDocument();
  });

  it('labels narrower segments when large', async () => {
    renderInTestApp(
      <TrafficSplitBar
        size="large"
        versions={[
          { version: '3', percent: 88.46 },
          { version: '4', percent: 11.34 },
          { version: '5', percent: 0.2 },
        ]}
      />,
    );
    const bar = await screen.findByRole('img', {
      name: 'traffic: v3 88%, v4 11%, v5 <1%',
    });
    expect(bar).toHaveTextContent('v4 11%');
  });

  it('says there is no traffic when every share is zero', async () => {
    renderInTestApp(
      <TrafficSplitBar versions={[{ version: '1', percent: 0 }]} />,
    );
    const bar = await screen.findByRole('img', { name: 'traffic: no traffic' });
    expect(bar).toHaveTextContent('no traffic');
  });

  it('gives a version the same colour every time, and neighbours different ones', () => {
    expect(versionColor('4', 'light')).toEqual(versionColor('4', 'light'));
    expect(versionColor('4', 'light').background).not.toBe(
      versionColor('5', 'light').background,
    );
    expect(versionColor('4', 'dark').background).not.toBe(
      versionColor('4', 'light').background,
    );
    expect(versionColor('canary-abc', 'dark')).toEqual(
      versionColor('canary-abc', 'dark'),
    );
  });
});
