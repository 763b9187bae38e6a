import { screen } from '@testing-library/react';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { SafetyBadge } from './SafetyBadge';

describe('SafetyBadge', () => {
  it('names an unsafe model and tells why on hover and to screen readers', async () => {
    renderInTestApp(
      <SafetyBadge
        safety="unsafe"
        reason="The sklearn flavor loads a pickle file."
      />,
    );
    const badge = await screen.findByRole('img', {
      name: 'Serialization unsafe: The sklearn flavor loads a pickle file.',
    });
    expect(badge).toHaveTextContent('unsafe');
    expect(badge).toHaveAttribute(
      'title',
      'The sklearn flavor loads a pickle file.',
    );
    expect(badge).toHaveStyle({ color: 'var(--bui-negative-fg-subdued)' });
  });

  it('shows a safe model in green', async () => {
    renderInTestApp(
      <SafetyBadge safety="safe" reason="ONNX never unpickles." />,
    );
    const badge = await screen.findByTitle('ONNX never unpickles.');
    expect(badge).toHaveTextContent('safe');
    expect(badge).toHaveStyle({ color: 'var(--bui-positive-fg-subdued)' });
  });

  it('says unknown when there is no verdict', async () => {
    renderInTestApp(<SafetyBadge />);
    const badge = await screen.findByRole('img', {
      name: /^Serialization unknown/,
    });
    expect(badge).toHaveTextContent('unknown');
    expect(badge).toHaveStyle({ color: 'var(--bui-fg-secondary)' });
  });
});
