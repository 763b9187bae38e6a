import type { V1ReplicaSet } from '@kubernetes/client-node';
import { ML_PLATFORM_LABELS } from '@mlplatform/plugin-ml-platform-common';
import {
  MODEL_REPLICA_SETS,
  gitOpsOwner,
  indexReplicaSetsByHash,
  modelVersionOf,
  namespacedKey,
  sortedByName,
  workloadOf,
  type TrafficClaim,
  type WatchedObjects,
} from '@mlplatform/plugin-ml-platform-node';
import { ROLLOUTS } from './resources';
import type { Rollout } from './types';

/**
 * The split of each Rollout of a model: its stable and canary ReplicaSets
 * (what its Services select) with the weights the controller reports, else
 * the weight of the step it is at.
 */
export function claimRollouts(objects: WatchedObjects): TrafficClaim[] {
  const byHash = indexReplicaSetsByHash(
    objects.list<V1ReplicaSet>(MODEL_REPLICA_SETS),
  );
  return sortedByName(objects.list<Rollout>(ROLLOUTS)).flatMap(rollout => {
    const claim = claimRollout(rollout, byHash);
    return claim ? [claim] : [];
  });
}

function claimRollout(
  rollout: Rollout,
  replicaSetsByHash: Map<string, V1ReplicaSet>,
): TrafficClaim | undefined {
  const namespace = rollout.metadata?.namespace ?? '';
  const model =
    rollout.metadata?.labels?.[ML_PLATFORM_LABELS.model] ??
    rollout.spec?.template?.metadata?.labels?.[ML_PLATFORM_LABELS.model];
  if (!model) return undefined;

  const status = rollout.status ?? {};
  const steps = rollout.spec?.strategy?.canary?.steps ?? [];
  const canaryWeight =
    status.canary?.weights?.canary?.weight ??
    weightAtStep(steps, status.currentStepIndex);
  const stableWeight =
    status.canary?.weights?.stable?.weight ?? 100 - canaryWeight;

  const sides: Array<{ hash?: string; weight: number }> =
    status.stableRS && status.stableRS === status.currentPodHash
      ? [{ hash: status.stableRS, weight: 100 }]
      : [
          { hash: status.stableRS, weight: stableWeight },
          { hash: status.currentPodHash, weight: canaryWeight },
        ];
  const versions: TrafficClaim['versions'] = [];
  let registryId: string | undefined;
  for (const side of sides) {
    const replicaSet = side.hash
      ? replicaSetsByHash.get(namespacedKey(namespace, side.hash))
      : undefined;
    const ref = modelVersionOf(replicaSet?.metadata?.labels);
    if (!replicaSet || !ref || ref.model !== model) continue;
    // The ReplicaSet is what the Rollout's Services send traffic to.
    versions.push({
      version: ref.version,
      weight: side.weight,
      workload: workloadOf('ReplicaSet', replicaSet),
    });
    registryId ??= ref.registryId;
  }

  return {
    namespace,
    model,
    registryId,
    versions,
    router: {
      apiVersion: rollout.apiVersion ?? `${ROLLOUTS.group}/${ROLLOUTS.version}`,
      kind: 'Rollout',
      name: rollout.metadata?.name ?? '',
      resourceVersion: rollout.metadata?.resourceVersion ?? '',
      managedBy: gitOpsOwner(rollout.metadata),
    },
    progress: {
      phase: status.phase,
      currentStepIndex: status.currentStepIndex,
      totalSteps: steps.length,
      paused:
        rollout.spec?.paused === true ||
        status.controllerPause === true ||
        (status.pauseConditions ?? []).length > 0,
      message: status.message,
    },
  };
}

/**
 * The canary weight Argo sets at a step: the last `setWeight` at or before
 * it; past the last step the canary has all traffic.
 */
export function weightAtStep(
  steps: Array<{ setWeight?: number }>,
  currentStepIndex = 0,
): number {
  if (currentStepIndex >= steps.length) return 100;
  let weight = 0;
  for (const step of steps.slice(0, currentStepIndex + 1)) {
    weight = step.setWeight ?? weight;
  }
  return weight;
}

/** `<namespace>/<route name>` of every HTTPRoute whose weights a Rollout rewrites. */
export function routesSteeredBy(rollout: Rollout): string[] {
  const plugins = rollout.spec?.strategy?.canary?.trafficRouting?.plugins ?? {};
  const routes: string[] = [];
  for (const plugin of Object.values(plugins)) {
    if (!plugin) continue;
    const namespace = plugin.namespace ?? rollout.metadata?.namespace;
    if (plugin.httpRoute)
      routes.push(namespacedKey(namespace, plugin.httpRoute));
    for (const r of plugin.httpRoutes ?? [])
      routes.push(namespacedKey(namespace, r.name));
  }
  return routes;
}
