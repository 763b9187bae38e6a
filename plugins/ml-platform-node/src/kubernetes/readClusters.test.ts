import { ConfigReader } from '@backstage/config';
import type { JsonObject } from '@backstage/types';
import { mockServices } from '@backstage/backend-test-utils';
import { readClusters } from './readClusters';

function read(clusters: JsonObject[], extraMethods: JsonObject[] = []) {
  const logger = mockServices.logger.mock();
  const result = readClusters(
    new ConfigReader({
      kubernetes: {
        clusterLocatorMethods: [{ type: 'config', clusters }, ...extraMethods],
      },
    }),
    logger,
  );
  return { result, logger };
}

describe('readClusters', () => {
  it('reads serviceAccount clusters of the standard kubernetes section', () => {
    const { result } = read([
      {
        name: 'prod',
        url: 'https://prod.example.com',
        authProvider: 'serviceAccount',
        serviceAccountToken: 't0ken',
        caData: 'Q0E=',
      },
      {
        name: 'dev',
        url: 'https://dev.example.com',
        authMetadata: { 'kubernetes.io/auth-provider': 'serviceAccount' },
        serviceAccountToken: 'dev-token',
        skipTLSVerify: true,
      },
    ]);
    expect(result).toEqual([
      {
        usable: true,
        name: 'prod',
        url: 'https://prod.example.com',
        token: 't0ken',
        caData: 'Q0E=',
        caFile: undefined,
        skipTLSVerify: false,
      },
      {
        usable: true,
        name: 'dev',
        url: 'https://dev.example.com',
        token: 'dev-token',
        caData: undefined,
        caFile: undefined,
        skipTLSVerify: true,
      },
    ]);
  });

  it('says which cluster cannot be watched and why, and keeps the others', () => {
    const { result, logger } = read([
      { name: 'eks', url: 'https://eks.example.com', authProvider: 'aws' },
      {
        name: 'sa',
        url: 'https://sa.example.com',
        authProvider: 'serviceAccount',
      },
      {
        name: 'ca',
        url: 'https://ca.example.com',
        authProvider: 'serviceAccount',
        serviceAccountToken: 't',
        caFile: '/nonexistent/ca.crt',
      },
      {
        name: 'ok',
        url: 'https://ok.example.com',
        authProvider: 'serviceAccount',
        serviceAccountToken: 't',
      },
    ]);
    expect(result.map(c => (c.usable ? c.name : c.error))).toEqual([
      "Cluster 'eks' cannot be watched: authProvider 'aws' is not supported, only 'serviceAccount' with a serviceAccountToken",
      "Cluster 'sa' cannot be watched: authProvider serviceAccount needs serviceAccountToken (the in-cluster service account is not used)",
      "Cluster 'ca' cannot be watched: caFile '/nonexistent/ca.crt' does not exist",
      'ok',
    ]);
    expect(logger.warn).toHaveBeenCalledTimes(3);
  });

  it('skips locator types it cannot read, with a warning', () => {
    const { result, logger } = read([], [{ type: 'gke', projectId: 'p' }]);
    expect(result).toEqual([]);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining("entry of type 'gke'"),
    );
  });

  it('rejects a duplicate cluster name and a cluster without url', () => {
    const sa = { authProvider: 'serviceAccount', serviceAccountToken: 't' };
    expect(() =>
      read([
        { name: 'a', url: 'https://a', ...sa },
        { name: 'a', url: 'https://b', ...sa },
      ]),
    ).toThrow("Duplicate kubernetes cluster name 'a'");
    expect(() => read([{ name: 'a', ...sa }])).toThrow(/url/);
  });
});
