import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigReader } from '@backstage/config';
import type { JsonObject } from '@backstage/types';
import { mockServices } from '@backstage/backend-test-utils';
import { readClusters, type ReadClustersOptions } from './readClusters';

function read(
  clusters: JsonObject[],
  extraMethods: JsonObject[] = [],
  options: ReadClustersOptions = { serviceAccountDir: '/nonexistent' },
) {
  const logger = mockServices.logger.mock();
  const result = readClusters(
    new ConfigReader({
      kubernetes: {
        clusterLocatorMethods: [{ type: 'config', clusters }, ...extraMethods],
      },
    }),
    logger,
    options,
  );
  return { result, logger };
}

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** A directory laid out like the kubelet's service account mount. */
function serviceAccountDir(token: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sa-'));
  dirs.push(dir);
  fs.writeFileSync(path.join(dir, 'token'), token);
  fs.writeFileSync(path.join(dir, 'ca.crt'), 'CA');
  return dir;
}

/** Replaces the token the way the kubelet does: a new file renamed over the old. */
function rotate(dir: string, token: string) {
  fs.writeFileSync(path.join(dir, 'token.new'), token);
  fs.renameSync(path.join(dir, 'token.new'), path.join(dir, 'token'));
}

describe('readClusters', () => {
  it('reads serviceAccount clusters of the standard kubernetes section', async () => {
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
        authProvider: 'serviceAccount',
        getToken: expect.any(Function),
        caData: 'Q0E=',
        caFile: undefined,
        skipTLSVerify: false,
        inCluster: false,
      },
      {
        usable: true,
        name: 'dev',
        url: 'https://dev.example.com',
        authProvider: 'serviceAccount',
        getToken: expect.any(Function),
        caData: undefined,
        caFile: undefined,
        skipTLSVerify: true,
        inCluster: false,
      },
    ]);
    expect(
      await Promise.all(result.map(c => c.usable && c.getToken())),
    ).toEqual(['t0ken', 'dev-token']);
  });

  it('says which cluster cannot be used and why, naming the provider, and keeps the others', () => {
    const { result, logger } = read([
      { name: 'eks', url: 'https://eks.example.com', authProvider: 'aws' },
      {
        name: 'gke',
        url: 'https://gke.example.com',
        authMetadata: { 'kubernetes.io/auth-provider': 'google' },
      },
      { name: 'none', url: 'https://none.example.com' },
      { name: 'typo', url: 'https://typo.example.com', authProvider: 'sa' },
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
        name: 'bad-url',
        url: 'prod cluster',
        authProvider: 'serviceAccount',
        serviceAccountToken: 't',
      },
      {
        name: 'ok',
        url: 'https://ok.example.com',
        authProvider: 'serviceAccount',
        serviceAccountToken: 't',
      },
    ]);
    const honoured =
      "use authProvider 'serviceAccount' (with serviceAccountToken, or in the portal's own cluster its pod's service account) or 'localKubectlProxy'";
    expect(result.map(c => (c.usable ? c.name : c.error))).toEqual([
      `Cluster 'eks' cannot be used: authProvider 'aws' (the backend's cloud credentials) is not supported by the ML Platform plugins; ${honoured}`,
      `Cluster 'gke' cannot be used: authProvider 'google' signs in with each user's own token, which the ML Platform plugins do not have when they watch and write on their own; ${honoured}`,
      `Cluster 'none' cannot be used: no authProvider is configured; ${honoured}`,
      `Cluster 'typo' cannot be used: authProvider 'sa' is not one of the kubernetes plugin's; ${honoured}`,
      "Cluster 'sa' cannot be used: authProvider serviceAccount without serviceAccountToken uses the pod's service account, but /nonexistent holds no token and ca.crt (not running in a pod?)",
      "Cluster 'ca' cannot be used: caFile '/nonexistent/ca.crt' does not exist",
      "Cluster 'bad-url' cannot be used: url 'prod cluster' is not a valid URL",
      'ok',
    ]);
    expect(logger.warn).toHaveBeenCalledTimes(7);
  });

  it('reads kubectl proxy clusters, from a cluster entry and from the locator of that type', async () => {
    const { result } = read(
      [
        {
          name: 'proxied',
          url: 'http://127.0.0.1:8011',
          authProvider: 'localKubectlProxy',
        },
      ],
      [{ type: 'localKubectlProxy' }],
    );
    expect(result).toEqual([
      {
        usable: true,
        name: 'proxied',
        url: 'http://127.0.0.1:8011',
        authProvider: 'localKubectlProxy',
        getToken: expect.any(Function),
        skipTLSVerify: false,
        inCluster: false,
      },
      {
        usable: true,
        name: 'local',
        url: 'http://127.0.0.1:8001',
        authProvider: 'localKubectlProxy',
        getToken: expect.any(Function),
        skipTLSVerify: false,
        inCluster: false,
      },
    ]);
    // kubectl proxy adds the credentials: none are sent.
    for (const c of result) {
      await expect(c.usable && c.getToken()).resolves.toBeUndefined();
    }
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

  describe('in the cluster it runs in', () => {
    const local = {
      name: 'local',
      url: 'https://kubernetes.default.svc',
      authProvider: 'serviceAccount',
    };

    it("uses the pod's service account: mounted CA, apiserver address from the environment", () => {
      const dir = serviceAccountDir('first');
      const { result } = read([local], [], {
        serviceAccountDir: dir,
        env: {
          KUBERNETES_SERVICE_HOST: '10.96.0.1',
          KUBERNETES_SERVICE_PORT: '443',
        },
      });
      expect(result).toEqual([
        {
          usable: true,
          name: 'local',
          url: 'https://10.96.0.1:443',
          authProvider: 'serviceAccount',
          getToken: expect.any(Function),
          caFile: path.join(dir, 'ca.crt'),
          skipTLSVerify: false,
          inCluster: true,
        },
      ]);
    });

    it('keeps the configured url outside a pod, and brackets an IPv6 service host', () => {
      const dir = serviceAccountDir('t');
      expect(
        read([local], [], { serviceAccountDir: dir, env: {} }).result,
      ).toEqual([
        expect.objectContaining({ url: 'https://kubernetes.default.svc' }),
      ]);
      expect(
        read([local], [], {
          serviceAccountDir: dir,
          env: {
            KUBERNETES_SERVICE_HOST: 'fd00::1',
            KUBERNETES_SERVICE_PORT: '443',
          },
        }).result,
      ).toEqual([expect.objectContaining({ url: 'https://[fd00::1]:443' })]);
    });

    it('reads the rotated token on the next use, never a kept copy', async () => {
      const dir = serviceAccountDir('first-token\n');
      const [cluster] = read([local], [], {
        serviceAccountDir: dir,
        env: {},
      }).result;
      if (!cluster.usable) throw new Error(cluster.error);
      await expect(cluster.getToken()).resolves.toBe('first-token');
      rotate(dir, 'second-token');
      await expect(cluster.getToken()).resolves.toBe('second-token');
      rotate(dir, 'third-token');
      await expect(cluster.getToken()).resolves.toBe('third-token');
    });

    it('prefers a configured serviceAccountToken over the mounted one', async () => {
      const dir = serviceAccountDir('mounted');
      const [cluster] = read(
        [{ ...local, serviceAccountToken: 'configured' }],
        [],
        { serviceAccountDir: dir, env: {} },
      ).result;
      expect(cluster).toMatchObject({ usable: true, inCluster: false });
      await expect(cluster.usable && cluster.getToken()).resolves.toBe(
        'configured',
      );
    });
  });
});
