import { randomUUID } from 'node:crypto';
import type { Config } from '@backstage/config';
import { ConfigReader } from '@backstage/config';
import { mockServices } from '@backstage/backend-test-utils';
import { createKubernetesClusters } from '@mlplatform/plugin-ml-platform-node';
import { kubeRequest, localClusterConfig } from 'platform-tests';

/** A request of the test itself to the local apiserver, as its admin. */
export async function kube(method: string, urlPath: string, body?: unknown) {
  const contentType =
    method === 'PATCH' ? 'application/json-patch+json' : 'application/json';
  return kubeRequest(method, urlPath, body, contentType);
}

/** The `kubernetes` config section with the local cluster as `local`. */
export function localKubernetesConfig(extra: object = {}) {
  return new ConfigReader({
    kubernetes: {
      clusterLocatorMethods: [
        { type: 'config', clusters: [localClusterConfig()] },
      ],
    },
    ...extra,
  });
}

/** The clusters of a config and their clients, as the backend makes them. */
export function localClusters(config: Config) {
  return createKubernetesClusters({
    config,
    logger: mockServices.logger.mock(),
  });
}

/** A namespace of the test's own; delete it with everything in it afterwards. */
export async function createTestNamespace(): Promise<string> {
  const name = `test-apply-${randomUUID().slice(0, 8)}`;
  const res = await kube('POST', '/api/v1/namespaces', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name },
  });
  if (res.status !== 201) {
    throw new Error(`Creating namespace ${name}: ${JSON.stringify(res.body)}`);
  }
  return name;
}

export async function deleteTestNamespace(name: string) {
  await kube('DELETE', `/api/v1/namespaces/${name}`);
}
