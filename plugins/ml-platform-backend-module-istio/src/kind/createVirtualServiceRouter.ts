import { InputError } from '@backstage/errors';
import {
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
  routeContextOf,
  versionDestinations,
  type VersionDestination,
} from './readRoutes';
import { VIRTUAL_SERVICES } from './resources';
import type { VirtualService } from './types';

interface VirtualServiceState {
  destinations: VersionDestination[];
  split: TrafficSplit;
}

/**
 * Istio VirtualService: the weights of the destinations of its traffic route
 * (the one without `match`), each a version through its Service or its
 * DestinationRule subset, exactly as the catalog maps them. Istio takes
 * whole percentages that add up to 100. Routes with a `match` are left alone.
 *
 * The VirtualService is read live and the write is guarded by its
 * resourceVersion; the Services, ReplicaSets, DestinationRules and Rollouts
 * come from the watch cache, a watch event behind at most. The write was
 * never guarded by their state (they could change between a live list and
 * the write as well); a destination the cache cannot map yet belongs to no
 * version, so a change naming it is refused. A Rollout created a moment ago
 * and not in the cache yet does not stop the write, but its controller
 * rewrites the weights at its next step, as it would after a write that
 * landed just before it was created.
 */
export function createVirtualServiceRouter(
  env: TrafficKindEnvironment,
): TrafficRouter {
  async function read(
    ref: TrafficObjectRef,
    model: string,
  ): Promise<VirtualServiceState> {
    const kube = env.client(ref.cluster);
    // The cache first: a cluster whose watches are not usable fails before
    // any request is sent.
    const context = routeContextOf(env.objects(ref.cluster));
    const vs = await kube.get<VirtualService>(
      VIRTUAL_SERVICES,
      ref.namespace,
      ref.name,
    );
    const destinations = versionDestinations(vs, context).filter(
      d => d.model === model,
    );
    if (destinations.length === 0) {
      throw new InputError(
        `VirtualService ${ref.namespace}/${ref.name} routes no version of model '${model}'`,
      );
    }
    const weights: Record<string, number> = {};
    for (const d of destinations) {
      weights[d.version] = (weights[d.version] ?? 0) + d.weight;
    }
    const managedBy = ownerOfVirtualService(vs, context.rollouts);
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
