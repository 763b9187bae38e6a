import { InputError } from '@backstage/errors';
import type { V1ReplicaSet, V1Service } from '@kubernetes/client-node';
import {
  MODEL_REPLICA_SETS,
  MODEL_SERVICES,
  gitOpsOwner,
  guardOfReading,
  guardedJsonPatch,
  indexReplicaSetsByHash,
  modelVersionOfService,
  namespacedKey,
  weightsOfChange,
  type JsonPatchOperation,
  type TrafficChange,
  type TrafficKindEnvironment,
  type TrafficObjectRef,
  type TrafficRouter,
  type TrafficSplit,
} from '@mlplatform/plugin-ml-platform-node';
import { ROLLOUTS, type Rollout } from '../argo-rollout';
import { routesSteeredByRollouts, trafficRule } from './claimHttpRoutes';
import { HTTP_ROUTES } from './resources';
import type { HttpRoute } from './types';

/** Where a version's backendRef sits in the route. */
interface Backend {
  version: string;
  path: string;
  weight: number;
  /** Gateway API defaults a missing weight to 1; then there is no field to replace. */
  present: boolean;
}

interface RouteState {
  route: HttpRoute;
  backends: Backend[];
  split: TrafficSplit;
}

/**
 * Gateway API HTTPRoute: the weights of the backendRefs of the route's
 * traffic rule (the catch-all rule, as the catalog reports it), each mapped to
 * a model version through its Service exactly as the catalog maps it.
 * Weights are proportional. Other rules (header or path matches) are left
 * alone: they only see the requests they select.
 *
 * The route is read live and the write is guarded by its resourceVersion;
 * the Services, ReplicaSets and Rollouts come from the watch cache, which
 * may be a watch event behind. That costs no safety: the write was never
 * guarded by their state (they could change between a live list and the
 * write as well), and a backend whose Service the cache does not hold yet
 * belongs to no version, so a change naming that version is refused.
 */
export function createHttpRouteRouter(
  env: TrafficKindEnvironment,
): TrafficRouter {
  async function read(
    ref: TrafficObjectRef,
    model: string,
  ): Promise<RouteState> {
    const kube = env.client(ref.cluster);
    // The cache first: a cluster whose watches are not usable fails before
    // any request is sent.
    const objects = env.objects(ref.cluster);
    const services = new Map(
      objects
        .list<V1Service>(MODEL_SERVICES)
        .map(s => [namespacedKey(s.metadata?.namespace, s.metadata?.name), s]),
    );
    const byHash = indexReplicaSetsByHash(
      objects.list<V1ReplicaSet>(MODEL_REPLICA_SETS),
    );
    // In every namespace: a Rollout may steer a route of another namespace.
    // One created a moment ago and not in the cache yet does not stop the
    // write: its controller rewrites the weights at its next step, as it
    // would after a write that landed just before it was created, which a
    // live list could not have stopped either. One deleted a moment ago
    // still refuses the write until the watch delivers the deletion.
    const steering = routesSteeredByRollouts(
      objects.list<Rollout>(ROLLOUTS),
    ).get(namespacedKey(ref.namespace, ref.name));
    const route = await kube.get<HttpRoute>(
      HTTP_ROUTES,
      ref.namespace,
      ref.name,
    );
    const rule = trafficRule(route);
    const ruleIndex = rule ? route.spec!.rules!.indexOf(rule) : -1;
    const backends: Backend[] = [];
    (rule?.backendRefs ?? []).forEach((backendRef, j) => {
      // Cross-namespace backends (behind a ReferenceGrant) are left alone:
      // their Services are not read here.
      if (
        (backendRef.kind ?? 'Service') !== 'Service' ||
        (backendRef.group ?? '') !== '' ||
        (backendRef.namespace ?? ref.namespace) !== ref.namespace
      ) {
        return;
      }
      const service = services.get(
        namespacedKey(ref.namespace, backendRef.name),
      );
      const target = service && modelVersionOfService(service, byHash);
      if (!target || target.model !== model) return;
      backends.push({
        version: target.version,
        path: `/spec/rules/${ruleIndex}/backendRefs/${j}/weight`,
        weight: backendRef.weight ?? 1,
        present: backendRef.weight !== undefined,
      });
    });

    const weights: Record<string, number> = {};
    for (const b of backends) {
      weights[b.version] = (weights[b.version] ?? 0) + b.weight;
    }
    const managedBy =
      steering !== undefined
        ? `rollout:${steering}`
        : gitOpsOwner(route.metadata);
    return {
      route,
      backends,
      split: {
        weights,
        resourceVersion: route.metadata?.resourceVersion ?? '',
        ...(managedBy && { managedBy }),
      },
    };
  }

  async function apply(
    ref: TrafficObjectRef,
    state: RouteState,
    change: TrafficChange,
    expectedResourceVersion: string | undefined,
  ): Promise<TrafficSplit> {
    const where = `HTTPRoute ${ref.namespace}/${ref.name}`;
    const managedBy = state.split.managedBy;
    if (managedBy?.startsWith('rollout:')) {
      // The Rollout's controller rewrites the weights at every step.
      throw new InputError(
        `${where} is steered by the Argo Rollout '${managedBy.slice(
          'rollout:'.length,
        )}', whose controller would overwrite its weights: change the Rollout instead (promote, abort, retry or rollback)`,
      );
    }
    const weights = weightsOfChange(
      Object.keys(state.split.weights),
      change,
      where,
    );
    const shared = Object.keys(weights).filter(
      v => state.backends.filter(b => b.version === v).length > 1,
    );
    if (shared.length > 0) {
      throw new InputError(
        `${where} has several backendRefs for version ${shared.join(
          ', ',
        )} in its traffic rule; set its weights by hand or keep one backendRef per version`,
      );
    }
    const operations: JsonPatchOperation[] = [];
    for (const backend of state.backends) {
      const weight = weights[backend.version];
      if (backend.present && weight === backend.weight) continue;
      operations.push({
        op: backend.present ? 'replace' : 'add',
        path: backend.path,
        value: weight,
      });
    }
    const written = await guardedJsonPatch<HttpRoute>(
      env.client(ref.cluster),
      HTTP_ROUTES,
      ref,
      guardOfReading(
        HTTP_ROUTES,
        ref,
        state.split.resourceVersion,
        expectedResourceVersion,
      ),
      operations,
    );
    return {
      weights,
      resourceVersion: written.metadata?.resourceVersion ?? '',
      ...(managedBy && { managedBy }),
    };
  }

  return {
    async readSplit(ref, model) {
      const state = await read(ref, model);
      return {
        ...state.split,
        apply: (change, { expectedResourceVersion } = {}) =>
          apply(ref, state, change, expectedResourceVersion),
      };
    },
  };
}
