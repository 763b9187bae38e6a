import { InputError } from '@backstage/errors';
import type { V1ReplicaSet, V1Service } from '@kubernetes/client-node';
import {
  MODEL_REPLICA_SETS,
  MODEL_SERVICES,
  guardOfReading,
  guardedJsonPatch,
  weightsOfChange,
  wholePercent,
  type JsonPatchOperation,
  type TrafficChange,
  type TrafficKindEnvironment,
  type TrafficObjectRef,
  type TrafficRouter,
  type TrafficSplit,
} from '@mlplatform/plugin-ml-platform-node';
import {
  ownerOfVirtualService,
  versionDestinations,
  type VersionDestination,
} from './readRoutes';
import {
  ARGO_ROLLOUTS,
  DESTINATION_RULES,
  VIRTUAL_SERVICES,
} from './resources';
import type {
  DestinationRule,
  IstioSteeringRollout,
  VirtualService,
} from './types';

interface VirtualServiceState {
  destinations: VersionDestination[];
  split: TrafficSplit;
}

/**
 * Istio VirtualService: the weights of the destinations of its traffic route
 * (the one without `match`), each a version through its Service or its
 * DestinationRule subset, exactly as the catalog maps them. Istio takes
 * whole percentages that add up to 100. Routes with a `match` are left alone.
 */
export function createVirtualServiceRouter(
  env: TrafficKindEnvironment,
): TrafficRouter {
  async function read(
    ref: TrafficObjectRef,
    model: string,
  ): Promise<VirtualServiceState> {
    const kube = env.client(ref.cluster);
    const inNamespace = { namespace: ref.namespace };
    const [vs, services, replicaSets, destinationRules, rollouts] =
      await Promise.all([
        kube.get<VirtualService>(VIRTUAL_SERVICES, ref.namespace, ref.name),
        kube.list<V1Service>(MODEL_SERVICES, {
          ...inNamespace,
          labelSelector: MODEL_SERVICES.labelSelector,
        }),
        kube.list<V1ReplicaSet>(MODEL_REPLICA_SETS, {
          ...inNamespace,
          labelSelector: MODEL_REPLICA_SETS.labelSelector,
        }),
        kube.list<DestinationRule>(DESTINATION_RULES, inNamespace),
        kube.list<IstioSteeringRollout>(ARGO_ROLLOUTS, inNamespace),
      ]);
    const destinations = versionDestinations(vs, {
      services,
      replicaSets,
      destinationRules,
      rollouts,
    }).filter(d => d.model === model);
    if (destinations.length === 0) {
      throw new InputError(
        `VirtualService ${ref.namespace}/${ref.name} routes no version of model '${model}'`,
      );
    }
    const weights: Record<string, number> = {};
    for (const d of destinations) {
      weights[d.version] = (weights[d.version] ?? 0) + d.weight;
    }
    const managedBy = ownerOfVirtualService(vs, rollouts);
    return {
      destinations,
      split: {
        weights,
        resourceVersion: vs.metadata?.resourceVersion ?? '',
        ...(managedBy && { managedBy }),
      },
    };
  }

  function plan(
    state: VirtualServiceState,
    change: TrafficChange,
    where: string,
  ): { percents: Record<string, number>; operations: JsonPatchOperation[] } {
    const managedBy = state.split.managedBy;
    if (managedBy?.startsWith('rollout:')) {
      throw new InputError(
        `${where} is steered by the Argo Rollout '${managedBy.slice(
          'rollout:'.length,
        )}', whose controller would overwrite its weights: change the Rollout instead`,
      );
    }
    const weights = weightsOfChange(
      Object.keys(state.split.weights),
      change,
      where,
    );
    const shared = Object.keys(weights).filter(
      v => state.destinations.filter(d => d.version === v).length > 1,
    );
    if (shared.length > 0) {
      throw new InputError(
        `${where} has several destinations for version ${shared.join(
          ', ',
        )} in its traffic route; set its weights by hand or keep one destination per version`,
      );
    }
    const percents = Object.fromEntries(
      Object.keys(weights).map(v => [v, wholePercent(weights, v, where)]),
    );
    const operations: JsonPatchOperation[] = [];
    for (const d of state.destinations) {
      const percent = percents[d.version];
      if (d.present && percent === d.weight) continue;
      operations.push({
        op: d.present ? 'replace' : 'add',
        path: d.path,
        value: percent,
      });
    }
    return { percents, operations };
  }

  async function apply(
    ref: TrafficObjectRef,
    state: VirtualServiceState,
    change: TrafficChange,
    expectedResourceVersion: string | undefined,
  ): Promise<TrafficSplit> {
    const where = `VirtualService ${ref.namespace}/${ref.name}`;
    const { percents, operations } = plan(state, change, where);
    const written = await guardedJsonPatch<VirtualService>(
      env.client(ref.cluster),
      VIRTUAL_SERVICES,
      ref,
      guardOfReading(
        VIRTUAL_SERVICES,
        ref,
        state.split.resourceVersion,
        expectedResourceVersion,
      ),
      operations,
    );
    return {
      weights: percents,
      resourceVersion: written.metadata?.resourceVersion ?? '',
      ...(state.split.managedBy && { managedBy: state.split.managedBy }),
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
