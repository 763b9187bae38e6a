import { randomUUID } from 'node:crypto';
import { ConfigReader } from '@backstage/config';
import { mockServices } from '@backstage/backend-test-utils';
import { kubeRequest, localClusterConfig } from 'platform-tests';
import { createKubernetesClusters } from '@mlplatform/plugin-ml-platform-node';

/** The platform's tests may restart the local apiserver: kube.json is then missing for a while. */
const UNAVAILABLE = /ECONNREFUSED|ECONNRESET|kube\.json is missing/;
const WAIT_ATTEMPTS = 240;

async function untilAvailable<T>(call: () => T | Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (e) {
      if (attempt >= WAIT_ATTEMPTS || !UNAVAILABLE.test(String(e))) throw e;
      await new Promise(r => setTimeout(r, 500));
    }
  }
}

/** Waits until the local apiserver is up and ready (it may be restarting). */
export async function waitForKube() {
  await untilAvailable(async () => {
    const res = await kubeRequest('GET', '/version');
    if (res.status !== 200) throw new Error('ECONNREFUSED: not ready yet');
  });
}

/** A request of the test itself, retried while the apiserver is restarting. */
export async function kube(
  method: string,
  urlPath: string,
  body?: unknown,
  contentType = 'application/json',
): Promise<{ status: number; body: any }> {
  return untilAvailable(() => kubeRequest(method, urlPath, body, contentType));
}

/** Like {@link kube}, and fails the test unless the status is the expected one. */
export async function kubeOk(
  method: string,
  urlPath: string,
  body?: unknown,
  contentType?: string,
  expected = method === 'POST' ? 201 : 200,
) {
  const res = await kube(method, urlPath, body, contentType);
  if (res.status !== expected) {
    throw new Error(
      `${method} ${urlPath}: ${res.status} ${JSON.stringify(res.body)}`,
    );
  }
  return res.body;
}

/** The `kubernetes` config section with the local cluster, read fresh (kube.json may change). */
export async function localKubernetesConfig(extra: object = {}) {
  await waitForKube();
  return new ConfigReader({
    kubernetes: {
      clusterLocatorMethods: [
        { type: 'config', clusters: [localClusterConfig()] },
      ],
    },
    ...extra,
  });
}

export async function localClusterClients() {
  return createKubernetesClusters({
    config: await localKubernetesConfig(),
    logger: mockServices.logger.mock(),
  }).client;
}

/** A namespace of the test's own, deleted with everything in it afterwards. */
export async function createTestNamespace(): Promise<string> {
  await waitForKube();
  const name = `test-rollouts-${randomUUID().slice(0, 8)}`;
  await kubeOk('POST', '/api/v1/namespaces', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name },
  });
  return name;
}

export async function deleteTestNamespace(name: string) {
  await kube('DELETE', `/api/v1/namespaces/${name}`);
}

export const paths = {
  httpRoutes: (ns: string) =>
    `/apis/gateway.networking.k8s.io/v1/namespaces/${ns}/httproutes`,
  rollouts: (ns: string) =>
    `/apis/argoproj.io/v1alpha1/namespaces/${ns}/rollouts`,
  inferenceServices: (ns: string) =>
    `/apis/serving.kserve.io/v1beta1/namespaces/${ns}/inferenceservices`,
  services: (ns: string) => `/api/v1/namespaces/${ns}/services`,
  replicaSets: (ns: string) => `/apis/apps/v1/namespaces/${ns}/replicasets`,
  deployments: (ns: string) => `/apis/apps/v1/namespaces/${ns}/deployments`,
};

/**
 * JSON Pointer paths where two versions of an object differ, leaving out what
 * every write changes (resourceVersion, managedFields, generation).
 */
export function changedPaths(before: unknown, after: unknown): string[] {
  const ignored = new Set([
    '/metadata/resourceVersion',
    '/metadata/managedFields',
    '/metadata/generation',
  ]);
  const out: string[] = [];
  const walk = (a: any, b: any, path: string) => {
    if (ignored.has(path)) return;
    const objects = a && b && typeof a === 'object' && typeof b === 'object';
    if (objects && Array.isArray(a) === Array.isArray(b)) {
      if (Array.isArray(a) && a.length !== b.length) {
        out.push(path);
        return;
      }
      const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
      for (const k of keys) walk(a[k], b[k], `${path}/${k}`);
      return;
    }
    if (JSON.stringify(a) !== JSON.stringify(b)) out.push(path);
  };
  walk(before, after, '');
  return out.sort();
}
