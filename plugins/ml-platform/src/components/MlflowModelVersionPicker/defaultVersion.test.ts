import { defaultVersion } from './defaultVersion';
import { fraudDetector, productRanker } from './__fixtures__/registry';

describe('defaultVersion', () => {
  it('is the champion when the champion may be served', () => {
    expect(
      defaultVersion(fraudDetector.versions, { policy: { allowUnknown: [] } })
        ?.version,
    ).toBe('5');
  });

  it('is none when the champion is refused', () => {
    expect(
      defaultVersion(productRanker.versions, { policy: { allowUnknown: [] } }),
    ).toBeUndefined();
  });
});
