import { ConflictError, ForwardedError, InputError } from '@backstage/errors';
import type { V1Deployment, V1Service } from '@kubernetes/client-node';
import {
  guardOfReading,
  guardedJsonPatch,
  weightsOfChange,
  type TrafficChange,
  type TrafficKindEnvironment,
  type TrafficObjectRef,
  type TrafficRouter,
  type TrafficSplit,
} from '@mlplatform/plugin-ml-platform-node';
import { ownerOfReplicas } from './claimReplicaRatios';
import { planReplicas } from './planReplicas';
import { MODEL_DEPLOYMENTS, MODEL_SERVICE_OBJECT } from './resources';
import {
  compositeResourceVersion,
  versionsBehindService,
  type VersionBehind,
} from './versionsBehindService';

interface RatioState {
  versions: VersionBehind[];
  split: TrafficSplit;
}

/** One Deployment to scale, in the order the writes go out. */
interface ScaleWrite {
  deployment: V1Deployment;
  from: number;
  to: number;
}

/**
 * Version Deployments behind one model Service: the split is their ready
 * replicas, and a change scales them (first up, then down, so that the
 * Service never has fewer pods than it needs). Each Deployment is written
 * once, guarded by the resourceVersion read; if a later write fails, the
 * error names the writes that stand.
 *
 * The Service is read live, so the Deployments scaled are those its
 * selector picks now; the Deployments come from the watch cache: each write
 * is guarded by the Deployment's resourceVersion there, so a cache a watch
 * event behind can only make the write a conflict, never a lost update.
 */
export function createReplicaRatioRouter(
  env: TrafficKindEnvironment,
): TrafficRouter {
  async function read(
    ref: TrafficObjectRef,
    model: string,
  ): Promise<RatioState> {
    const deployments = env
      .objects(ref.cluster)
      .list<V1Deployment>(MODEL_DEPLOYMENTS);
    const service = await env
      .client(ref.cluster)
      .get<V1Service>(MODEL_SERVICE_OBJECT, ref.namespace, ref.name);
    const behind = versionsBehindService(service, deployments);
    if (!behind || behind.model !== model) {
      throw new InputError(
        `Service ${ref.namespace}/${ref.name} does not send the traffic of model '${model}' to two or more of its version Deployments`,
      );
    }
    const weights: Record<string, number> = {};
    for (const v of behind.versions) {
      weights[v.version] =
        (weights[v.version] ?? 0) + (v.deployment.status?.readyReplicas ?? 0);
    }
    const managedBy = ownerOfReplicas(service, behind.versions);
    return {
      versions: behind.versions,
      split: {
        weights,
        resourceVersion: compositeResourceVersion(service, behind.versions),
        ...(managedBy && { managedBy }),
      },
    };
  }

  function plan(state: RatioState, change: TrafficChange, where: string) {
    const weights = weightsOfChange(
      Object.keys(state.split.weights),
      change,
      where,
    );
    const shared = state.versions.filter(
      v => state.versions.filter(o => o.version === v.version).length > 1,
    );
    if (shared.length > 0) {
      throw new InputError(
        `${where} has several Deployments for version ${shared[0].version}; scale them by hand or keep one Deployment per version`,
      );
    }
    const current = Object.fromEntries(
      state.versions.map(v => [v.version, v.deployment.spec?.replicas ?? 1]),
    );
    const replicas = planReplicas(current, weights, where);
    const writes: ScaleWrite[] = state.versions
      .map(v => ({
        deployment: v.deployment,
        from: current[v.version],
        to: replicas[v.version],
      }))
      .filter(w => w.from !== w.to)
      .sort((a, b) => b.to - b.from - (a.to - a.from));
    return { replicas, writes };
  }

  async function apply(
    ref: TrafficObjectRef,
    state: RatioState,
    change: TrafficChange,
    expectedResourceVersion: string | undefined,
  ): Promise<TrafficSplit> {
    const where = `Service ${ref.namespace}/${ref.name}`;
    guardOfReading(
      MODEL_SERVICE_OBJECT,
      ref,
      state.split.resourceVersion,
      expectedResourceVersion,
    );
    const { replicas, writes } = plan(state, change, where);
    const kube = env.client(ref.cluster);
    const written = new Map<string, string>();
    for (const [index, write] of writes.entries()) {
      const name = write.deployment.metadata?.name ?? '';
      try {
        // Through the scale subresource: the portal may change a
        // Deployment's replicas and nothing else of it.
        const scale = await guardedJsonPatch<{
          metadata?: { resourceVersion?: string };
        }>(
          kube,
          MODEL_DEPLOYMENTS,
          { namespace: ref.namespace, name },
          write.deployment.metadata?.resourceVersion ?? '',
          [{ op: 'replace', path: '/spec/replicas', value: write.to }],
          { subresource: 'scale' },
        );
        written.set(name, scale.metadata?.resourceVersion ?? '');
      } catch (error) {
        if (index === 0) throw error;
        throw partialScaleError(where, writes, index, error);
      }
    }
    return {
      weights: replicas,
      resourceVersion: [
        state.split.resourceVersion.split('.')[0],
        ...state.versions.map(v => {
          const name = v.deployment.metadata?.name ?? '';
          return written.get(name) ?? v.deployment.metadata?.resourceVersion;
        }),
      ].join('.'),
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

function describeScale(write: ScaleWrite): string {
  return `Deployment ${write.deployment.metadata?.name} ${write.from} → ${write.to} replicas`;
}

/** The error of a later write, saying which earlier writes stand. */
function partialScaleError(
  where: string,
  writes: ScaleWrite[],
  failed: number,
  error: unknown,
): Error {
  const applied = writes.slice(0, failed).map(describeScale).join(', ');
  const message = `${where}: ${failed} of ${
    writes.length
  } writes applied (${applied}); ${describeScale(writes[failed])} was not`;
  if (error instanceof ConflictError) {
    return new ConflictError(
      `${message}: the Deployment changed since it was read. Read the split again and apply it again to finish.`,
    );
  }
  return new ForwardedError(message, error);
}
