import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { kubeRequest } from './localCluster';
import { PLATFORM_STATE_DIR, readPlatformFile } from './platformEnv';

/**
 * What kube-controller-manager, kube-scheduler and kwok add to the local
 * apiserver (scripts/platform/kube.sh): Deployments get Pods that are placed
 * on the fake nodes and become Running and Ready, and deleted namespaces go.
 * With serving on (node.sh), the demo's serving namespaces run on the real
 * node instead, and every other namespace still on the fake ones.
 */

/** Pods are Ready within seconds; a busy 2-core machine can take longer. */
const TIMEOUT_MS = 60_000;
const NAMESPACE = `test-workloads-${randomUUID().slice(0, 8)}`;
const DEPLOYMENT = `/apis/apps/v1/namespaces/${NAMESPACE}/deployments/scorer`;

async function get(urlPath: string): Promise<any> {
  const res = await kubeRequest('GET', urlPath);
  expect(res.status).toBe(200);
  return res.body;
}

/**
 * Polls until `check` passes (returns without throwing); fails with the last
 * failure after `timeoutMs`.
 */
async function eventually<T>(
  check: () => Promise<T>,
  timeoutMs = TIMEOUT_MS,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    await new Promise(r => setTimeout(r, 250));
  }
}

function condition(object: any, type: string): string | undefined {
  return object.status?.conditions?.find((c: any) => c.type === type)?.status;
}

/** The names of the nodes kwok plays the kubelet of (labelled `type=kwok` by kube.sh). */
async function fakeNodes(): Promise<string[]> {
  const nodes = await get('/api/v1/nodes?labelSelector=type%3Dkwok');
  return nodes.items.map((n: any) => n.metadata.name);
}

/** Pods of a Deployment, found through its selector as kubectl does. */
async function podsOf(deployment: any): Promise<any[]> {
  const selector = Object.entries(deployment.spec.selector.matchLabels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  const pods = await get(
    `/api/v1/namespaces/${deployment.metadata.namespace}/pods` +
      `?labelSelector=${encodeURIComponent(selector)}`,
  );
  return pods.items;
}

interface Placement {
  nodes: string[];
  /** The first three octets of the pod network, e.g. `10.244.`. */
  ipPrefix: string;
}

/** kwok's fake nodes and the pod IPs kwok hands out (kube.sh: 10.244.0.0/16). */
async function fakePlacement(): Promise<Placement> {
  return { nodes: await fakeNodes(), ipPrefix: '10.244.' };
}

/** Where the seeded model services run: the real node when serving is on. */
async function seededPlacement(): Promise<Placement> {
  if (!fs.existsSync(path.join(PLATFORM_STATE_DIR, 'node.json'))) {
    return fakePlacement();
  }
  const node = readPlatformFile('node');
  return {
    nodes: [node.node],
    ipPrefix: `${node.podSubnet.split('.').slice(0, 3).join('.')}.`,
  };
}

/** Expects every pod Running and Ready, with an IP of the placement, on one of its nodes. */
function expectRunningOn(pods: any[], placement: Placement) {
  for (const pod of pods) {
    expect(pod.status.phase).toBe('Running');
    expect(condition(pod, 'Ready')).toBe('True');
    expect(pod.status.podIP.startsWith(placement.ipPrefix)).toBe(true);
    expect(placement.nodes).toContain(pod.spec.nodeName);
  }
}

describe('workloads on the local cluster (controllers, scheduler, kwok)', () => {
  afterAll(async () => {
    // Only left behind when a test below failed before deleting it.
    await kubeRequest('DELETE', `/api/v1/namespaces/${NAMESPACE}`);
  });

  it('has fake nodes that kwok keeps Ready', async () => {
    const nodes = await get('/api/v1/nodes?labelSelector=type%3Dkwok');
    expect(nodes.items.length).toBeGreaterThanOrEqual(1);
    for (const node of nodes.items) {
      expect(node.metadata.annotations['kwok.x-k8s.io/node']).toBe('fake');
      expect(condition(node, 'Ready')).toBe('True');
      expect(node.spec.unschedulable).toBeFalsy();
    }
  });

  it('runs the seeded fraud-scorer pods in ml-prod and reports them Ready on each Deployment', async () => {
    const nodes = await seededPlacement();
    const list = await get(
      '/apis/apps/v1/namespaces/ml-prod/deployments' +
        `?labelSelector=${encodeURIComponent(
          'backstage.io/kubernetes-id=fraud-scorer',
        )}`,
    );
    const names = list.items.map((d: any) => d.metadata.name).sort();
    expect(names).toEqual(['fraud-scorer-v5', 'fraud-scorer-v6']);

    for (const deployment of list.items) {
      // The Deployment controller's own report, which the model page shows.
      expect(deployment.spec.replicas).toBe(2);
      expect(deployment.status.observedGeneration).toBe(
        deployment.metadata.generation,
      );
      expect(deployment.status.readyReplicas).toBe(2);
      expect(deployment.status.availableReplicas).toBe(2);
      expect(condition(deployment, 'Available')).toBe('True');

      // What the portal's Kubernetes tab lists: pods owned by the
      // Deployment's ReplicaSet, with the entity's kubernetes-id label.
      const pods = await podsOf(deployment);
      expect(pods).toHaveLength(2);
      expectRunningOn(pods, nodes);
      for (const pod of pods) {
        expect(pod.metadata.labels['backstage.io/kubernetes-id']).toBe(
          'fraud-scorer',
        );
        const [owner] = pod.metadata.ownerReferences;
        expect(owner.kind).toBe('ReplicaSet');
        const replicaSet = await get(
          `/apis/apps/v1/namespaces/ml-prod/replicasets/${owner.name}`,
        );
        expect(replicaSet.metadata.ownerReferences[0]).toMatchObject({
          kind: 'Deployment',
          name: deployment.metadata.name,
          uid: deployment.metadata.uid,
        });
      }
    }
  });

  it(
    "gives a test's own Deployment Ready pods and follows a scale-up",
    async () => {
      const ns = await kubeRequest('POST', '/api/v1/namespaces', {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: NAMESPACE },
      });
      expect(ns.status).toBe(201);
      const labels = { 'app.kubernetes.io/name': 'scorer' };
      const created = await kubeRequest(
        'POST',
        `/apis/apps/v1/namespaces/${NAMESPACE}/deployments`,
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'scorer', namespace: NAMESPACE, labels },
          spec: {
            replicas: 1,
            selector: { matchLabels: labels },
            template: {
              metadata: { labels },
              spec: {
                containers: [
                  { name: 'model', image: 'registry.example.com/scorer:1' },
                ],
              },
            },
          },
        },
      );
      expect(created.status).toBe(201);
      // A namespace the seed did not make runs on the fake nodes, real node or not.
      const nodes = await fakePlacement();

      const readyWith = (replicas: number) =>
        eventually(async () => {
          const deployment = await get(DEPLOYMENT);
          expect(deployment.status?.readyReplicas).toBe(replicas);
          expect(deployment.status?.replicas).toBe(replicas);
          const pods = await podsOf(deployment);
          expect(pods).toHaveLength(replicas);
          expectRunningOn(pods, nodes);
        });

      let started = Date.now();
      await readyWith(1);
      // eslint-disable-next-line no-console
      console.log(`1 pod Ready ${Date.now() - started} ms after creating it`);
      const scaled = await kubeRequest(
        'PATCH',
        DEPLOYMENT,
        { spec: { replicas: 3 } },
        'application/merge-patch+json',
      );
      expect(scaled.status).toBe(200);
      started = Date.now();
      await readyWith(3);
      // eslint-disable-next-line no-console
      console.log(`3 pods Ready ${Date.now() - started} ms after scaling to 3`);
    },
    2 * TIMEOUT_MS,
  );

  it(
    "deletes a test's namespace with everything in it, not leaving it Terminating",
    async () => {
      const res = await kubeRequest(
        'DELETE',
        `/api/v1/namespaces/${NAMESPACE}`,
      );
      expect([200, 202]).toContain(res.status);
      const started = Date.now();
      await eventually(async () => {
        const ns = await kubeRequest('GET', `/api/v1/namespaces/${NAMESPACE}`);
        expect(ns.status).toBe(404);
      });
      // eslint-disable-next-line no-console
      console.log(
        `namespace gone ${Date.now() - started} ms after its deletion`,
      );
      const pods = await get(`/api/v1/namespaces/${NAMESPACE}/pods`);
      expect(pods.items).toEqual([]);
    },
    TIMEOUT_MS + 5_000,
  );
});
