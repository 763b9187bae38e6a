import type { V1ReplicaSet, V1Service } from '@kubernetes/client-node';
import {
  MODEL_REPLICA_SETS,
  MODEL_SERVICES,
  gitOpsOwner,
  indexReplicaSetsByHash,
  modelVersionOf,
  modelVersionOfService,
  namespacedKey,
  type ModelVersionRef,
  type WatchedObjects,
} from '@mlplatform/plugin-ml-platform-node';
import { ARGO_ROLLOUTS, DESTINATION_RULES } from './resources';
import type {
  Destination,
  DestinationRule,
  IstioSteeringRollout,
  VirtualService,
} from './types';

/** A route destination that is a version of a model. */
export interface VersionDestination extends ModelVersionRef {
  /** JSON Pointer of its weight. */
  path: string;
  weight: number;
  /** A lone destination without a weight gets all traffic; there is no field to replace. */
  present: boolean;
}

/** The objects around the VirtualServices of a cluster, from its watches. */
export interface RouteContext {
  services: readonly V1Service[];
  replicaSets: readonly V1ReplicaSet[];
  destinationRules: readonly DestinationRule[];
  rollouts: readonly IstioSteeringRollout[];
}

/** The route context of a cluster: the catalog's and the router's alike. */
export function routeContextOf(objects: WatchedObjects): RouteContext {
  return {
    services: objects.list<V1Service>(MODEL_SERVICES),
    replicaSets: objects.list<V1ReplicaSet>(MODEL_REPLICA_SETS),
    destinationRules: objects.list<DestinationRule>(DESTINATION_RULES),
    rollouts: objects.list<IstioSteeringRollout>(ARGO_ROLLOUTS),
  };
}

/**
 * The HTTP route whose split is reported: the one without `match` (it takes
 * every request the others do not), else the first with destinations.
 */
function trafficRouteIndex(vs: VirtualService): number {
  const routes = vs.spec?.http ?? [];
  const withDestinations = routes
    .map((r, i) => ({ r, i }))
    .filter(({ r }) => (r.route ?? []).length > 0);
  return (
    (withDestinations.find(({ r }) => !r.match?.length) ?? withDestinations[0])
      ?.i ?? -1
  );
}

/** `name`, `name.ns`, `name.ns.svc`, `name.ns.svc.cluster.local`: the Service a host names. */
function serviceKeyOfHost(host: string, namespace: string): string {
  const [name, ns = namespace] = host.split('.');
  return namespacedKey(ns, name);
}

/**
 * The model version each destination of the traffic route goes to: its
 * subset's labels from the DestinationRule of its host, over the Service's
 * selector; else the Service's own model labels (a Service per version).
 */
export function versionDestinations(
  vs: VirtualService,
  context: RouteContext,
): VersionDestination[] {
  const namespace = vs.metadata?.namespace ?? '';
  const index = trafficRouteIndex(vs);
  if (index < 0) return [];
  const services = new Map(
    context.services.map(s => [
      namespacedKey(s.metadata?.namespace, s.metadata?.name),
      s,
    ]),
  );
  const byHash = indexReplicaSetsByHash(context.replicaSets);
  const route = vs.spec!.http![index].route ?? [];
  const found: VersionDestination[] = [];
  route.forEach((entry, j) => {
    const destination = entry.destination;
    if (!destination?.host) return;
    const key = serviceKeyOfHost(destination.host, namespace);
    const service = services.get(key);
    const target = destination.subset
      ? versionOfSubset(destination, key, service, context.destinationRules)
      : service && modelVersionOfService(service, byHash);
    if (!target) return;
    found.push({
      ...target,
      path: `/spec/http/${index}/route/${j}/weight`,
      weight: entry.weight ?? (route.length === 1 ? 100 : 0),
      present: entry.weight !== undefined,
    });
  });
  return found;
}

function versionOfSubset(
  destination: Destination,
  serviceKey: string,
  service: V1Service | undefined,
  rules: readonly DestinationRule[],
): ModelVersionRef | undefined {
  const rule = rules.find(
    r =>
      r.spec?.host &&
      serviceKeyOfHost(r.spec.host, r.metadata?.namespace ?? '') === serviceKey,
  );
  const subset = rule?.spec?.subsets?.find(s => s.name === destination.subset);
  if (!subset) return undefined;
  return modelVersionOf({
    ...(service?.spec?.selector ?? {}),
    ...(service?.metadata?.labels ?? {}),
    ...(subset.labels ?? {}),
  });
}

/** Who else writes the VirtualService: an Argo Rollout that steers it, or a GitOps owner. */
export function ownerOfVirtualService(
  vs: VirtualService,
  rollouts: readonly IstioSteeringRollout[],
): string | undefined {
  const namespace = vs.metadata?.namespace;
  const name = vs.metadata?.name;
  const steering = rollouts.find(r => {
    const istio = r.spec?.strategy?.canary?.trafficRouting?.istio;
    const names = [
      ...(istio?.virtualService ? [istio.virtualService.name] : []),
      ...(istio?.virtualServices ?? []).map(v => v.name),
    ];
    return r.metadata?.namespace === namespace && names.includes(name ?? '');
  });
  return steering
    ? `rollout:${steering.metadata?.name}`
    : gitOpsOwner(vs.metadata);
}
