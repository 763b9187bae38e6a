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
        getToken: expect.any(Function),
        caData: undefined,
        caFile: undefined,
        skipTLSVerify: true,
        inCluster: false,
      },
    ]);
    expect(result.map(c => c.usable && c.getToken())).toEqual([
      't0ken',
      'dev-token',
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
      "Cluster 'eks' cannot be watched: authProvider 'aws' is not supported, only 'serviceAccount'",
      "Cluster 'sa' cannot be watched: authProvider serviceAccount without serviceAccountToken uses the pod's service account, but /nonexistent holds no token and ca.crt (not running in a pod?)",
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

    it('reads the rotated token on the next use, never a kept copy', () => {
      const dir = serviceAccountDir('first-token\n');
      const [cluster] = read([local], [], {
        serviceAccountDir: dir,
        env: {},
      }).result;
      if (!cluster.usable) throw new Error(cluster.error);
      expect(cluster.getToken()).toBe('first-token');
      rotate(dir, 'second-token');
      expect(cluster.getToken()).toBe('second-token');
      rotate(dir, 'third-token');
      expect(cluster.getToken()).toBe('third-token');
    });

    it('prefers a configured serviceAccountToken over the mounted one', () => {
      const dir = serviceAccountDir('mounted');
      const [cluster] = read(
        [{ ...local, serviceAccountToken: 'configured' }],
        [],
        { serviceAccountDir: dir, env: {} },
      ).result;
      expect(cluster).toMatchObject({ usable: true, inCluster: false });
      expect(cluster.usable && cluster.getToken()).toBe('configured');
    });
  });
});
