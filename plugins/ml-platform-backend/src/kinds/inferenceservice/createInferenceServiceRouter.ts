import { InputError } from '@backstage/errors';
import type { V1Deployment } from '@kubernetes/client-node';
import {
  MODEL_DEPLOYMENTS,
  gitOpsOwner,
  guardOfReading,
  guardedJsonPatch,
  watchedObjectsOf,
  weightsOfChange,
  wholePercent,
  type JsonPatchOperation,
  type TrafficChange,
  type TrafficKindEnvironment,
  type TrafficObjectRef,
  type TrafficRouter,
  type TrafficSplit,
} from '@mlplatform/plugin-ml-platform-node';
import { ML_PLATFORM_LABELS } from '@mlplatform/plugin-ml-platform-common';
import { claimInferenceServices } from './claimInferenceServices';
import { INFERENCE_SERVICES } from './resources';
import type { InferenceService } from './types';

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
 * and the versions are read as the catalog reads them: the InferenceService
 * live, the Deployments that name its revisions' versions from the watch
 * cache. The write depends only on the InferenceService, whose
 * resourceVersion guards it; a revision whose Deployment the cache does not
 * hold yet is named by the revision, so a change naming its version is
 * refused.
 */
export function createInferenceServiceRouter(
  env: TrafficKindEnvironment,
): TrafficRouter {
  async function read(
    ref: TrafficObjectRef,
    model: string,
  ): Promise<IsvcState> {
    const kube = env.client(ref.cluster);
    const deployments = env
      .objects(ref.cluster)
      .list<V1Deployment>(MODEL_DEPLOYMENTS);
    const isvc = await kube.get<InferenceService>(
      INFERENCE_SERVICES,
      ref.namespace,
      ref.name,
    );
    // The catalog's own reading, so both show the same split.
    const [deployment] = claimInferenceServices(
      watchedObjectsOf([
        [INFERENCE_SERVICES, [isvc]],
        [MODEL_DEPLOYMENTS, deployments],
      ]),
    ).filter(c => c.model === model);
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
      weights[v.version] = (weights[v.version] ?? 0) + v.weight;
    }
    // The previous revision is the other one the catalog found in the
    // InferenceService's traffic or status, by its own Deployment's version.
    const previous = deployment.versions.find(
      v => v.version !== latest,
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
      env.client(ref.cluster),
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
