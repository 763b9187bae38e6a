import type {
  V1Deployment,
  V1ObjectMeta,
  V1ReplicaSet,
  V1Service,
} from '@kubernetes/client-node';
import {
  ML_PLATFORM_LABELS,
  type ModelWorkload,
} from '@mlplatform/plugin-ml-platform-common';
import type { WatchedResource } from './TrafficKind';

/**
 * Deployments labelled with a model: each runs one version of it.
 * @public
 */
export const MODEL_DEPLOYMENTS: WatchedResource = {
  group: 'apps',
  version: 'v1',
  plural: 'deployments',
  labelSelector: ML_PLATFORM_LABELS.model,
};

/**
 * ReplicaSets labelled with a model (an Argo Rollout's are what its Services select).
 * @public
 */
export const MODEL_REPLICA_SETS: WatchedResource = {
  group: 'apps',
  version: 'v1',
  plural: 'replicasets',
  labelSelector: ML_PLATFORM_LABELS.model,
};

/**
 * Services labelled with a model: what routing objects send traffic to.
 * @public
 */
export const MODEL_SERVICES: WatchedResource = {
  group: '',
  version: 'v1',
  plural: 'services',
  labelSelector: ML_PLATFORM_LABELS.model,
};

/**
 * Watched in every cluster whatever the traffic kinds.
 * @public
 */
export const MODEL_WORKLOAD_RESOURCES: readonly WatchedResource[] = [
  MODEL_DEPLOYMENTS,
  MODEL_REPLICA_SETS,
  MODEL_SERVICES,
];

/**
 * Label Argo Rollouts puts on its ReplicaSets and on the selectors of its Services.
 * @public
 */
export const POD_TEMPLATE_HASH = 'rollouts-pod-template-hash';

/**
 * A model version named by labels.
 * @public
 */
export interface ModelVersionRef {
  model: string;
  version: string;
  registryId?: string;
}

/**
 * The model version labels name: `ml-platform.io/model` and `ml-platform.io/model-version`.
 * @public
 */
export function modelVersionOf(
  labels?: Record<string, string>,
): ModelVersionRef | undefined {
  const model = labels?.[ML_PLATFORM_LABELS.model];
  const version = labels?.[ML_PLATFORM_LABELS.modelVersion];
  if (!model || !version) return undefined;
  return { model, version, registryId: labels[ML_PLATFORM_LABELS.registry] };
}

/**
 * A version's workload as the catalog shows it. `kind` is passed in because
 * the items of a list response do not carry it.
 * @public
 */
export function workloadOf(
  kind: 'Deployment' | 'ReplicaSet',
  workload: V1Deployment | V1ReplicaSet,
): ModelWorkload {
  return {
    kind,
    name: workload.metadata?.name ?? '',
    // Desired count from the spec; what is actually up from the controller's status.
    replicas: workload.spec?.replicas ?? 1,
    readyReplicas: workload.status?.readyReplicas ?? 0,
    availableReplicas: workload.status?.availableReplicas ?? 0,
  };
}

/**
 * `<namespace>/<name>`, the key objects are indexed by.
 * @public
 */
export function namespacedKey(
  namespace: string | undefined,
  name: string | undefined,
): string {
  return `${namespace ?? ''}/${name ?? ''}`;
}

/**
 * ReplicaSets by `<namespace>/<rollouts-pod-template-hash>`.
 * @public
 */
export function indexReplicaSetsByHash(
  replicaSets: readonly V1ReplicaSet[],
): Map<string, V1ReplicaSet> {
  const byHash = new Map<string, V1ReplicaSet>();
  for (const rs of replicaSets) {
    const hash = rs.metadata?.labels?.[POD_TEMPLATE_HASH];
    if (hash) byHash.set(namespacedKey(rs.metadata?.namespace, hash), rs);
  }
  return byHash;
}

/**
 * The model version a Service sends traffic to: its own model labels, else
 * the model version in its selector, else (Argo's stable/canary Services) the
 * ReplicaSet its `rollouts-pod-template-hash` selects.
 * @public
 */
export function modelVersionOfService(
  service: V1Service,
  replicaSetsByHash: Map<string, V1ReplicaSet>,
): ModelVersionRef | undefined {
  const labels = service.metadata?.labels ?? {};
  const selector = service.spec?.selector ?? {};
  const direct = modelVersionOf({ ...selector, ...labels });
  if (direct) return direct;
  const hash = selector[POD_TEMPLATE_HASH];
  const replicaSet = hash
    ? replicaSetsByHash.get(namespacedKey(service.metadata?.namespace, hash))
    : undefined;
  return modelVersionOf(replicaSet?.metadata?.labels);
}

/**
 * Objects sorted by namespace and name, so that a mapping does not depend on
 * the order a watch delivered them in.
 * @public
 */
export function sortedByName<T extends { metadata?: V1ObjectMeta }>(
  items: readonly T[],
): T[] {
  return [...items].sort((a, b) =>
    namespacedKey(a.metadata?.namespace, a.metadata?.name).localeCompare(
      namespacedKey(b.metadata?.namespace, b.metadata?.name),
    ),
  );
}
