import type { V1Deployment } from '@kubernetes/client-node';
import type {
  ModelDeployment,
  ModelWorkload,
} from '@mlplatform/plugin-ml-platform-common';
import {
  MODEL_DEPLOYMENTS,
  modelVersionOf,
  namespacedKey,
  splitPercentages,
  workloadOf,
  type TrafficClaim,
  type TrafficKind,
  type WatchedObjects,
} from '@mlplatform/plugin-ml-platform-node';

interface VersionEntry {
  version: string;
  workload?: ModelWorkload;
  weight?: number;
}

/** One (namespace, model) pair while it is being assembled. */
interface Group {
  namespace: string;
  model: string;
  registryId?: string;
  claim?: TrafficClaim;
  versions: Map<string, VersionEntry>;
}

/**
 * Turns the objects watched in one cluster into model deployments: one per
 * model and namespace, a workload per version (its Deployment), and the
 * split of the routing object that claims the model there. `kinds` come in
 * order of precedence: when two claim the same model in a namespace, the
 * first one's split is reported (a Rollout steers the HTTPRoute it names).
 *
 * Pure: no I/O, so a read of the cache never reaches a cluster.
 */
export function computeDeployments(
  cluster: string,
  objects: WatchedObjects,
  kinds: readonly TrafficKind[],
): ModelDeployment[] {
  const groups = new Map<string, Group>();
  const group = (namespace: string, model: string) => {
    const k = namespacedKey(namespace, model);
    let g = groups.get(k);
    if (!g) {
      g = { namespace, model, versions: new Map() };
      groups.set(k, g);
    }
    return g;
  };

  for (const deployment of objects.list<V1Deployment>(MODEL_DEPLOYMENTS)) {
    const ref = modelVersionOf(deployment.metadata?.labels);
    if (!ref) continue;
    const g = group(deployment.metadata?.namespace ?? '', ref.model);
    g.registryId ??= ref.registryId;
    versionEntry(g, ref.version).workload = workloadOf(
      'Deployment',
      deployment,
    );
  }

  for (const kind of kinds) {
    for (const claim of kind.claim(objects)) {
      const g = group(claim.namespace, claim.model);
      if (g.claim) continue;
      g.claim = claim;
      g.registryId ??= claim.registryId;
      for (const share of claim.versions) {
        const entry = versionEntry(g, share.version);
        entry.weight = (entry.weight ?? 0) + share.weight;
        if (share.workload) entry.workload = share.workload;
      }
    }
  }

  return [...groups.values()]
    .map(g => toDeployment(cluster, g))
    .sort(
      (a, b) =>
        a.namespace.localeCompare(b.namespace) ||
        a.model.localeCompare(b.model),
    );
}

function versionEntry(g: Group, version: string): VersionEntry {
  let entry = g.versions.get(version);
  if (!entry) {
    entry = { version };
    g.versions.set(version, entry);
  }
  return entry;
}

function toDeployment(cluster: string, g: Group): ModelDeployment {
  const entries = [...g.versions.values()].sort((a, b) =>
    a.version.localeCompare(b.version, undefined, { numeric: true }),
  );
  const percents = splitPercentages(entries.map(e => e.weight ?? 0));
  const { claim } = g;
  return {
    cluster,
    namespace: g.namespace,
    model: g.model,
    ...(g.registryId && { registryId: g.registryId }),
    ...(claim && { router: withoutUndefined(claim.router) }),
    ...(claim?.progress && { progress: withoutUndefined(claim.progress) }),
    versions: entries.map((e, i) => ({
      version: e.version,
      ...(e.workload && { workload: e.workload }),
      ...(e.weight !== undefined && { weight: e.weight }),
      percent: percents[i],
    })),
  };
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(
    Object.entries(value).filter(([, v]) => v !== undefined),
  ) as T;
}
