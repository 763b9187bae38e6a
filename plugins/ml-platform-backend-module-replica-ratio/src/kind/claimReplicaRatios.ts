import type { V1Deployment, V1Service } from '@kubernetes/client-node';
import {
  gitOpsOwner,
  sortedByName,
  workloadOf,
  type TrafficClaim,
  type WatchedObjects,
} from '@mlplatform/plugin-ml-platform-node';
import { MODEL_DEPLOYMENTS, MODEL_SERVICE_OBJECT } from './resources';
import {
  compositeResourceVersion,
  versionsBehindService,
  type VersionBehind,
} from './versionsBehindService';

/** Who else writes the replicas: a GitOps owner of a Deployment reverts a scale. */
export function ownerOfReplicas(
  service: V1Service,
  versions: readonly VersionBehind[],
): string | undefined {
  for (const v of versions) {
    const owner = gitOpsOwner(v.deployment.metadata);
    if (owner) return owner;
  }
  return gitOpsOwner(service.metadata);
}

/** Each model Service in front of two or more version Deployments: their ready replicas. */
export function claimReplicaRatios(objects: WatchedObjects): TrafficClaim[] {
  const deployments = objects.list<V1Deployment>(MODEL_DEPLOYMENTS);
  return sortedByName(objects.list<V1Service>(MODEL_SERVICE_OBJECT)).flatMap(
    service => {
      const behind = versionsBehindService(service, deployments);
      if (!behind) return [];
      const claim: TrafficClaim = {
        namespace: service.metadata?.namespace ?? '',
        model: behind.model,
        registryId: behind.versions.find(v => v.registryId)?.registryId,
        versions: behind.versions.map(v => ({
          version: v.version,
          weight: v.deployment.status?.readyReplicas ?? 0,
          workload: workloadOf('Deployment', v.deployment),
        })),
        router: {
          apiVersion: 'v1',
          kind: 'Service',
          name: service.metadata?.name ?? '',
          resourceVersion: compositeResourceVersion(service, behind.versions),
          managedBy: ownerOfReplicas(service, behind.versions),
        },
      };
      return [claim];
    },
  );
}
