import path from 'node:path';
import { ConfigReader } from '@backstage/config';
import { readTrustedLocations } from './readTrustedLocations';

describe('readTrustedLocations', () => {
  it("trusts the config's own catalog locations by default, resolving files as the catalog does", () => {
    const trusted = readTrustedLocations(
      new ConfigReader({
        catalog: {
          locations: [
            { type: 'file', target: '../catalog/models.yaml' },
            { type: 'url', target: 'https://git.example.com/ml/all.yaml' },
          ],
        },
      }),
    );
    expect(trusted(`file:${path.resolve('../catalog/models.yaml')}`)).toBe(
      true,
    );
    expect(trusted('url:https://git.example.com/ml/all.yaml')).toBe(true);
    expect(trusted('url:https://git.example.com/ml/other.yaml')).toBe(false);
    // The catalog module's own Resources.
    expect(trusted('ml-platform:mlflow/fraud-detector')).toBe(true);
  });

  it('trusts only the configured patterns once they are set, a trailing * matching any rest', () => {
    const trusted = readTrustedLocations(
      new ConfigReader({
        catalog: {
          locations: [{ type: 'url', target: 'https://x.example.com/a.yaml' }],
        },
        mlPlatform: {
          ownership: {
            trustedLocations: [
              'url:https://github.com/acme/ml-services/*',
              'file:scaffolded/*',
            ],
          },
        },
      }),
    );
    expect(
      trusted(
        'url:https://github.com/acme/ml-services/blob/main/catalog-info.yaml',
      ),
    ).toBe(true);
    expect(trusted('url:https://github.com/acme/ml-services-evil/x.yaml')).toBe(
      false,
    );
    expect(trusted('url:https://x.example.com/a.yaml')).toBe(false);
    expect(
      trusted(`file:${path.resolve('scaffolded')}/svc/catalog-info.yaml`),
    ).toBe(true);
    expect(trusted('file:/tmp/scaffolded/x.yaml')).toBe(false);
    expect(trusted('')).toBe(false);
  });
});
