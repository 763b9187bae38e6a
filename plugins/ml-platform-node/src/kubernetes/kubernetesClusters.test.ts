import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigReader } from '@backstage/config';
import { NotFoundError } from '@backstage/errors';
import { mockServices } from '@backstage/backend-test-utils';
import type { JsonObject } from '@backstage/types';
import { createKubernetesClusters } from './kubernetesClusters';

const seen: Array<{ url?: string; authorization?: string }> = [];
let server: http.Server;
let url: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.push({ url: req.url, authorization: req.headers.authorization });
    if (req.url?.startsWith('/stall')) return;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ items: [{ metadata: { name: 'a' } }] }));
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise(r => server.close(r));
});

beforeEach(() => seen.splice(0));

function clustersOf(clusters: JsonObject[], extra: JsonObject = {}) {
  return createKubernetesClusters({
    config: new ConfigReader({
      kubernetes: { clusterLocatorMethods: [{ type: 'config', clusters }] },
      ...extra,
    }),
    logger: mockServices.logger.mock(),
    readOptions: { serviceAccountDir: '/nonexistent' },
  });
}

describe('createKubernetesClusters', () => {
  it("sends each cluster's own credential: a token, or none through kubectl proxy", async () => {
    const clusters = clustersOf([
      {
        name: 'token',
        url,
        authProvider: 'serviceAccount',
        serviceAccountToken: 'sa-token',
        skipTLSVerify: true,
      },
      { name: 'proxy', url, authProvider: 'localKubectlProxy' },
    ]);
    const services = { group: '', version: 'v1', plural: 'services' };
    await clusters.client('token').list(services);
    await clusters.client('proxy').list(services);
    expect(seen).toEqual([
      { url: '/api/v1/services', authorization: 'Bearer sa-token' },
      { url: '/api/v1/services', authorization: undefined },
    ]);
  });

  it('names an unknown cluster and says why a configured one cannot be used', () => {
    const clusters = clustersOf([
      { name: 'eks', url: 'https://eks.example.com', authProvider: 'aws' },
      { name: 'proxy', url, authProvider: 'localKubectlProxy' },
    ]);
    expect(() => clusters.client('prod')).toThrow(
      new NotFoundError(
        "No kubernetes cluster named 'prod' is configured (configured: 'eks', 'proxy')",
      ),
    );
    expect(() => clusters.client('eks')).toThrow(
      /^Cluster 'eks' cannot be used: authProvider 'aws'/,
    );
    expect(clusters.clusters.map(c => [c.name, c.usable])).toEqual([
      ['eks', false],
      ['proxy', true],
    ]);
  });

  it('bounds every request by mlPlatform.kubernetes.requestTimeout', async () => {
    const clusters = clustersOf(
      [{ name: 'proxy', url, authProvider: 'localKubectlProxy' }],
      { mlPlatform: { kubernetes: { requestTimeout: { milliseconds: 300 } } } },
    );
    const started = Date.now();
    await expect(
      clusters.client('proxy').request({ method: 'GET', path: '/stall' }),
    ).rejects.toThrow('GET /stall: the apiserver did not answer within 0.3 s');
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
