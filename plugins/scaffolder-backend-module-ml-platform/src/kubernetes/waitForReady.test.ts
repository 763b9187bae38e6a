import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigReader } from '@backstage/config';
import { mockServices } from '@backstage/backend-test-utils';
import { createKubernetesClusters } from '@mlplatform/plugin-ml-platform-node';
import type { PlannedObject } from './applyManifests';
import { waitForReady } from './waitForReady';

const rollout: PlannedObject = {
  manifest: {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name: 'scorer', namespace: 'ml-prod' },
    spec: { replicas: 2 },
  },
  resource: {
    resource: { group: 'argoproj.io', version: 'v1alpha1', plural: 'rollouts' },
    namespaced: true,
  },
  ref: 'Rollout/ml-prod/scorer',
};

const ROLLOUT_PATH =
  '/apis/argoproj.io/v1alpha1/namespaces/ml-prod/rollouts/scorer';

/**
 * An apiserver on 127.0.0.1 that serves Argo's Rollout kind and answers the
 * Rollout with each status in turn, then the last; or, with no statuses,
 * takes every request and never answers, like one behind a stuck proxy.
 */
async function apiserverAnswering(...statuses: object[]) {
  let reads = 0;
  const held: http.ServerResponse[] = [];
  const server = http.createServer((req, res) => {
    if (statuses.length === 0) {
      held.push(res);
      return;
    }
    const reply = (body: object) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.url === '/apis/argoproj.io/v1alpha1') {
      reply({
        kind: 'APIResourceList',
        groupVersion: 'argoproj.io/v1alpha1',
        resources: [{ name: 'rollouts', kind: 'Rollout', namespaced: true }],
      });
    } else if (req.url === ROLLOUT_PATH) {
      reply({
        ...rollout.manifest,
        status: statuses[Math.min(reads++, statuses.length - 1)],
      });
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const kube = createKubernetesClusters({
    config: new ConfigReader({
      kubernetes: {
        clusterLocatorMethods: [
          {
            type: 'config',
            clusters: [
              { name: 'test', url, authProvider: 'localKubectlProxy' },
            ],
          },
        ],
      },
      // The client's own bound is far off: the wait's limit must win.
      mlPlatform: { kubernetes: { requestTimeout: { minutes: 1 } } },
    }),
    logger: mockServices.logger.mock(),
  }).client('test');
  return {
    kube,
    held,
    async close() {
      held.forEach(res => res.destroy());
      server.closeAllConnections();
      await new Promise(r => server.close(r));
    },
  };
}

let apiserver: Awaited<ReturnType<typeof apiserverAnswering>> | undefined;
afterEach(async () => {
  await apiserver?.close();
  apiserver = undefined;
});

describe('waitForReady', () => {
  it('stops waiting for a Rollout no Argo Rollouts controller picks up, and says so', async () => {
    apiserver = await apiserverAnswering({});
    const logger = mockServices.logger.mock();
    await waitForReady({
      kube: apiserver.kube,
      objects: [rollout],
      timeoutSeconds: 10,
      logger,
      pollMs: 10,
      unwatchedAfterMs: 50,
    });
    expect(logger.warn).toHaveBeenCalledWith(
      'Rollout/ml-prod/scorer: no Argo Rollouts controller has picked it up in 0s; not waiting for it',
    );
  });

  it('waits for a Rollout a controller is progressing until it is healthy, past the unwatched limit', async () => {
    apiserver = await apiserverAnswering(
      { phase: 'Progressing', availableReplicas: 1 },
      { phase: 'Progressing', availableReplicas: 1 },
      { phase: 'Progressing', availableReplicas: 1 },
      { phase: 'Healthy', availableReplicas: 2 },
    );
    const logger = mockServices.logger.mock();
    await waitForReady({
      kube: apiserver.kube,
      objects: [rollout],
      timeoutSeconds: 10,
      logger,
      pollMs: 30,
      unwatchedAfterMs: 1,
    });
    expect(logger.warn).not.toHaveBeenCalled();
    expect(logger.info).toHaveBeenCalledWith(
      'Rollout/ml-prod/scorer: phase Progressing, 1 of 2 replicas available',
    );
    expect(logger.info).toHaveBeenLastCalledWith(
      'Rollout/ml-prod/scorer is ready',
    );
  });

  it('times out naming what it waited for and how far it got', async () => {
    apiserver = await apiserverAnswering({
      phase: 'Degraded',
      availableReplicas: 0,
    });
    await expect(
      waitForReady({
        kube: apiserver.kube,
        objects: [rollout],
        timeoutSeconds: 0.1,
        logger: mockServices.logger.mock(),
        pollMs: 20,
      }),
    ).rejects.toThrow(
      'Timed out after 0.1s waiting for Rollout/ml-prod/scorer (phase Degraded, 0 of 2 replicas available). The objects are applied; check their pods in the Kubernetes tab.',
    );
  });

  it('ends at its limit when the apiserver stops answering', async () => {
    apiserver = await apiserverAnswering();
    const started = Date.now();
    await expect(
      waitForReady({
        kube: apiserver.kube,
        objects: [rollout],
        timeoutSeconds: 1,
        logger: mockServices.logger.mock(),
      }),
    ).rejects.toThrow(
      'Timed out after 1s waiting for Rollout/ml-prod/scorer (not read yet). The objects are applied; check their pods in the Kubernetes tab.',
    );
    expect(Date.now() - started).toBeLessThan(3000);
    expect(apiserver.held.length).toBeGreaterThan(0);
  });
});
