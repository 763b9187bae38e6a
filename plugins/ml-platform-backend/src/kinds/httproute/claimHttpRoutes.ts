import type { V1ReplicaSet, V1Service } from '@kubernetes/client-node';
import {
  MODEL_REPLICA_SETS,
  MODEL_SERVICES,
  gitOpsOwner,
  indexReplicaSetsByHash,
  modelVersionOfService,
  namespacedKey,
  sortedByName,
  type ModelVersionRef,
  type TrafficClaim,
  type WatchedObjects,
} from '@mlplatform/plugin-ml-platform-node';
import { ROLLOUTS, routesSteeredBy, type Rollout } from '../argo-rollout';
import { HTTP_ROUTES } from './resources';
import type { HttpRoute } from './types';

/**
 * The split of the traffic rule of each HTTPRoute, per model: its
 * backendRefs' weights, each mapped to a model version through its Service.
 * A route an Argo Rollout steers is reported as managed by it.
 */
export function claimHttpRoutes(objects: WatchedObjects): TrafficClaim[] {
  const replicaSetsByHash = indexReplicaSetsByHash(
    objects.list<V1ReplicaSet>(MODEL_REPLICA_SETS),
  );
  const services = new Map<string, V1Service>();
  for (const service of objects.list<V1Service>(MODEL_SERVICES)) {
    services.set(
      namespacedKey(service.metadata?.namespace, service.metadata?.name),
      service,
    );
  }
  const steeredBy = routesSteeredByRollouts(objects.list<Rollout>(ROLLOUTS));
  return sortedByName(objects.list<HttpRoute>(HTTP_ROUTES)).flatMap(route =>
    claimHttpRoute(
      route,
      steeredBy.get(
        namespacedKey(route.metadata?.namespace, route.metadata?.name),
      ),
      services,
      replicaSetsByHash,
    ),
  );
}

/** `<namespace>/<route>` -> the Rollout that rewrites its weights. */
export function routesSteeredByRollouts(
  rollouts: readonly Rollout[],
): Map<string, string> {
  const steered = new Map<string, string>();
  for (const rollout of rollouts) {
    for (const route of routesSteeredBy(rollout)) {
      steered.set(route, rollout.metadata?.name ?? '');
    }
  }
  return steered;
}

function claimHttpRoute(
  route: HttpRoute,
  rolloutName: string | undefined,
  services: Map<string, V1Service>,
  replicaSetsByHash: Map<string, V1ReplicaSet>,
): TrafficClaim[] {
  const namespace = route.metadata?.namespace ?? '';
  const rule = trafficRule(route);
  if (!rule) return [];

  // Backends whose Service we cannot tie to a model version are left out of
  // the split: their share is not any version's (the route's ResolvedRefs
  // condition says what is wrong with them).
  const byModel = new Map<
    string,
    Array<ModelVersionRef & { weight: number }>
  >();
  for (const ref of rule.backendRefs ?? []) {
    if ((ref.kind ?? 'Service') !== 'Service' || (ref.group ?? '') !== '') {
      continue;
    }
    const service = services.get(
      namespacedKey(ref.namespace ?? namespace, ref.name),
    );
    const target = service
      ? modelVersionOfService(service, replicaSetsByHash)
      : undefined;
    if (!target) continue;
    const list = byModel.get(target.model) ?? [];
    list.push({ ...target, weight: ref.weight ?? 1 });
    byModel.set(target.model, list);
  }

  return [...byModel].map(([model, backends]) => ({
    namespace,
    model,
    registryId: backends.find(b => b.registryId)?.registryId,
    versions: backends.map(b => ({ version: b.version, weight: b.weight })),
    router: {
      apiVersion:
        route.apiVersion ?? `${HTTP_ROUTES.group}/${HTTP_ROUTES.version}`,
      kind: 'HTTPRoute',
      name: route.metadata?.name ?? '',
      resourceVersion: route.metadata?.resourceVersion ?? '',
      managedBy: rolloutName
        ? `rollout:${rolloutName}`
        : gitOpsOwner(route.metadata),
    },
  }));
}

/**
 * The rule whose split we report: the catch-all one (no match, or prefix `/`)
 * if there is one, else the first rule with backends. Other rules only see
 * the requests their matches select, so their weights are not "the" split.
 */
export function trafficRule(route: HttpRoute) {
  const rules = (route.spec?.rules ?? []).filter(
    r => (r.backendRefs ?? []).length > 0,
  );
  const catchAll = rules.find(
    r =>
      !r.matches?.length ||
      r.matches.some(
        m =>
          Object.keys(m).length === 1 &&
          m.path?.value === '/' &&
          (m.path.type ?? 'PathPrefix') === 'PathPrefix',
      ),
  );
  return catchAll ?? rules[0];
}
