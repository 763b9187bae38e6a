import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigReader } from '@backstage/config';
import { mockServices } from '@backstage/backend-test-utils';
import { createKubernetesClusters } from '@mlplatform/plugin-ml-platform-node';
import { readPlatformFile, type LocalKube } from 'platform-tests';
import { ClusterWatcher } from './ClusterWatcher';
import { waitFor } from '../../__testUtils__/waitFor';
import { BUILT_IN_TRAFFIC_KINDS } from '../../kinds';
import { watchedResourcesOf } from './watchedResources';

// The portal inside its own cluster: `authProvider: serviceAccount` without a
// token reads the pod's mounted service account, here a directory laid out
// like the kubelet's, pointing at the local apiserver. The kubelet replaces
// the projected token before it expires; both the rollout client and the
// watches must send the file's current token, never one read at startup.

const kube = readPlatformFile<LocalKube>('kube');
const server = new URL(kube.server);
let dir: string;

/** How the kubelet swaps the token: a new file renamed over the old one. */
function mountToken(token: string) {
  fs.writeFileSync(path.join(dir, 'token.next'), token);
  fs.renameSync(path.join(dir, 'token.next'), path.join(dir, 'token'));
}

/** The configured in-cluster cluster and its client, as the backend makes them. */
function inCluster() {
  const clusters = createKubernetesClusters({
    config: new ConfigReader({
      kubernetes: {
        clusterLocatorMethods: [
          {
            type: 'config',
            clusters: [
              {
                name: 'local',
                url: 'https://kubernetes.default.svc',
                authProvider: 'serviceAccount',
              },
            ],
          },
        ],
      },
    }),
    logger: mockServices.logger.mock(),
    readOptions: {
      serviceAccountDir: dir,
      env: {
        KUBERNETES_SERVICE_HOST: server.hostname,
        KUBERNETES_SERVICE_PORT: server.port,
      },
    },
  });
  const [cluster] = clusters.clusters;
  if (!cluster.usable) throw new Error(cluster.error);
  return { cluster, client: clusters.client(cluster.name) };
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'serviceaccount-'));
  fs.writeFileSync(
    path.join(dir, 'ca.crt'),
    Buffer.from(kube.caData, 'base64'),
  );
});

afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('the in-cluster service account against the local apiserver', () => {
  it('finds the apiserver from the environment and sends the current token on every request', async () => {
    mountToken(kube.token);
    const { cluster, client } = inCluster();
    expect(cluster).toMatchObject({ url: kube.server, inCluster: true });
    const list = () =>
      client.listObject(
        { group: '', version: 'v1', plural: 'services' },
        { namespace: 'default', labelSelector: 'ml-platform.io/model' },
      );

    await expect(list()).resolves.toMatchObject({ items: expect.any(Array) });
    mountToken('a-token-that-expired');
    await expect(list()).rejects.toThrow(/401 Unauthorized/);
    mountToken(kube.token);
    await expect(list()).resolves.toMatchObject({ items: expect.any(Array) });
  });

  it('reconnects its watches with the rotated token, without a restart', async () => {
    mountToken('a-token-that-expired');
    const watcher = new ClusterWatcher(
      inCluster().client,
      watchedResourcesOf(BUILT_IN_TRAFFIC_KINDS),
      { initialBackoffMs: 100, maxBackoffMs: 200, notInstalledRecheckMs: 5000 },
      mockServices.logger.mock(),
    );
    try {
      await watcher.start();
      expect(watcher.status()).toMatchObject({
        ok: false,
        error: expect.stringContaining('401'),
      });
      mountToken(kube.token);
      await waitFor(() => watcher.status().ok || undefined, 30_000);
      expect(watcher.status().error).toBeUndefined();
    } finally {
      await watcher.stop();
    }
  });
});
