import { InputError } from '@backstage/errors';
import type { V1Deployment, V1ReplicaSet } from '@kubernetes/client-node';
import type {
  ClusterClients,
  JsonPatchOperation,
  TrafficChange,
  TrafficObjectRef,
  TrafficRouter,
  TrafficSplit,
} from '@mlplatform/plugin-ml-platform-node';
import { ML_PLATFORM_LABELS } from '@mlplatform/plugin-ml-platform-common';
import { computeDeployments } from '../../ModelDeployments/computeDeployments';
import { gitOpsOwner } from '../../ModelDeployments/managedBy';
import type { InferenceService } from '../../ModelDeployments/types';
import {
  DEPLOYMENTS,
  INFERENCE_SERVICES,
  REPLICA_SETS,
} from '../../../lib/kubeResources';
import { guardedJsonPatch } from '../kube/guardedJsonPatch';
import { guardOfReading } from '../kube/guardOfReading';
import { weightsOfChange, wholePercent } from './versionWeights';

interface IsvcState {
  isvc: InferenceService;
  /** The version the InferenceService declares now: its latest revision. */
  latest: string;
  /** The version of the previously rolled-out revision, if one is known. */
  previous?: string;
  split: TrafficSplit;
}

/**
 * KServe InferenceService: `spec.predictor.canaryTrafficPercent` splits
 * traffic between the latest revision (the version the spec declares) and
 * the previously rolled-out one. Promote removes the field (all traffic to
 * the latest), 0 sends everything back to the previous revision. The split
 * and the versions are read as the catalog reads them.
 */
export function createInferenceServiceRouter(options: {
  clients: ClusterClients;
}): TrafficRouter {
  const { clients } = options;

  async function read(
    ref: TrafficObjectRef,
    model: string,
  ): Promise<IsvcState> {
    const kube = clients(ref.cluster);
    const [isvc, deployments, replicaSets] = await Promise.all([
      kube.get<InferenceService>(INFERENCE_SERVICES, ref.namespace, ref.name),
      kube.list<V1Deployment>(DEPLOYMENTS, {
        namespace: ref.namespace,
        labelSelector: ML_PLATFORM_LABELS.model,
      }),
      kube.list<V1ReplicaSet>(REPLICA_SETS, {
        namespace: ref.namespace,
        labelSelector: ML_PLATFORM_LABELS.model,
      }),
    ]);
    const [deployment] = computeDeployments(ref.cluster, {
      inferenceServices: [isvc],
      deployments,
      replicaSets,
      rollouts: [],
      services: [],
      httpRoutes: [],
    }).filter(d => d.model === model && d.router?.kind === 'InferenceService');
    const labels = isvc.metadata?.labels ?? {};
    const latest =
      labels[ML_PLATFORM_LABELS.modelVersion] ??
      isvc.spec?.predictor?.model?.storageUri?.split('/').pop();
    if (!deployment || !latest) {
      throw new InputError(
        `InferenceService ${ref.namespace}/${ref.name} does not serve a version of model '${model}'`,
      );
    }
    const weights: Record<string, number> = { [latest]: 0 };
    for (const v of deployment.versions) {
      if (v.weight !== undefined) weights[v.version] = v.weight;
    }
    // The previous revision is the other one the catalog found in the
    // InferenceService's traffic or status, by its own Deployment's version.
    const previous = deployment.versions.find(
      v => v.version !== latest && v.weight !== undefined,
    )?.version;
    if (previous !== undefined) weights[previous] ??= 0;
    const managedBy = gitOpsOwner(isvc.metadata);
    return {
      isvc,
      latest,
      previous,
      split: {
        weights: Object.fromEntries(
          Object.entries(weights).filter(
            ([v]) => v === latest || v === previous,
          ),
        ),
        resourceVersion: isvc.metadata?.resourceVersion ?? '',
        ...(managedBy && { managedBy }),
      },
    };
  }

  /** The canaryTrafficPercent a change asks for; undefined means promoted. */
  function plan(
    state: IsvcState,
    change: TrafficChange,
    where: string,
  ): number | undefined {
    const weights = weightsOfChange(
      Object.keys(state.split.weights),
      change,
      where,
    );
    const percent = wholePercent(weights, state.latest, where);
    return percent === 100 ? undefined : percent;
  }

  async function apply(
    ref: TrafficObjectRef,
    state: IsvcState,
    change: TrafficChange,
    expectedResourceVersion: string | undefined,
  ): Promise<TrafficSplit> {
    const where = `InferenceService ${ref.namespace}/${ref.name}`;
    const percent = plan(state, change, where);
    const current = state.isvc.spec?.predictor?.canaryTrafficPercent;
    const path = '/spec/predictor/canaryTrafficPercent';
    const operations: JsonPatchOperation[] = [];
    if (percent === undefined) {
      if (current !== undefined) operations.push({ op: 'remove', path });
    } else if (percent !== current) {
      operations.push({ op: 'add', path, value: percent });
    }
    const written = await guardedJsonPatch<InferenceService>(
      clients(ref.cluster),
      INFERENCE_SERVICES,
      ref,
      guardOfReading(
        INFERENCE_SERVICES,
        ref,
        state.split.resourceVersion,
        expectedResourceVersion,
      ),
      operations,
    );
    const latestShare = percent ?? 100;
    const weights: Record<string, number> = { [state.latest]: latestShare };
    if (state.previous !== undefined)
      weights[state.previous] = 100 - latestShare;
    return {
      weights,
      resourceVersion: written.metadata?.resourceVersion ?? '',
      ...(state.split.managedBy && { managedBy: state.split.managedBy }),
    };
  }

  return {
    id: 'kserve',

    supports: ref =>
      ref.kind === 'InferenceService' &&
      ref.apiVersion.startsWith(`${INFERENCE_SERVICES.group}/`),

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
