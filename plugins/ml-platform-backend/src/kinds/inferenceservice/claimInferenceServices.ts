import type { V1Deployment } from '@kubernetes/client-node';
import { ML_PLATFORM_LABELS } from '@mlplatform/plugin-ml-platform-common';
import {
  MODEL_DEPLOYMENTS,
  gitOpsOwner,
  modelVersionOf,
  namespacedKey,
  sortedByName,
  type TrafficClaim,
  type WatchedObjects,
} from '@mlplatform/plugin-ml-platform-node';
import { INFERENCE_SERVICES, KNATIVE_REVISION } from './resources';
import type { InferenceService } from './types';

/**
 * KServe's traffic names revisions, not versions. The revision marked
 * `latestRevision` serves the version the InferenceService declares now (its
 * `ml-platform.io/model-version` label, else the last segment of
 * `storageUri`); any other revision serves the version its own Deployment
 * says (Knative labels it with the revision, and the InferenceService's labels
 * reach it). A revision with no such Deployment is shown under its name. The
 * previously rolled-out revision is listed even at 0 %: a new canary share is
 * set against it.
 */
export function claimInferenceServices(
  objects: WatchedObjects,
): TrafficClaim[] {
  // `<namespace>/<Knative revision>` -> the model version its Deployment runs.
  const revisionVersions = new Map<string, string>();
  for (const deployment of objects.list<V1Deployment>(MODEL_DEPLOYMENTS)) {
    const ref = modelVersionOf(deployment.metadata?.labels);
    const revision = deployment.metadata?.labels?.[KNATIVE_REVISION];
    if (ref && revision) {
      revisionVersions.set(
        namespacedKey(deployment.metadata?.namespace, revision),
        ref.version,
      );
    }
  }
  return sortedByName(
    objects.list<InferenceService>(INFERENCE_SERVICES),
  ).flatMap(isvc => {
    const claim = claimInferenceService(isvc, revisionVersions);
    return claim ? [claim] : [];
  });
}

function claimInferenceService(
  isvc: InferenceService,
  revisionVersions: Map<string, string>,
): TrafficClaim | undefined {
  const labels = isvc.metadata?.labels ?? {};
  const model = labels[ML_PLATFORM_LABELS.model];
  if (!model) return undefined;
  const namespace = isvc.metadata?.namespace ?? '';

  const latest =
    labels[ML_PLATFORM_LABELS.modelVersion] ??
    isvc.spec?.predictor?.model?.storageUri?.split('/').pop();
  const versionOf = (revision: string | undefined) =>
    revision
      ? revisionVersions.get(namespacedKey(namespace, revision))
      : undefined;
  const predictor = isvc.status?.components?.predictor;
  const traffic = predictor?.traffic ?? [];
  // What rolled out before: a canary share of the spec goes against it.
  const previous = versionOf(predictor?.previousRolledoutRevision);

  const shares = traffic.length
    ? traffic.map(t => ({
        version:
          (t.latestRevision ? latest : versionOf(t.revisionName)) ??
          t.revisionName ??
          'unknown',
        weight: t.percent ?? 0,
      }))
    : // Not reconciled yet: what the spec asks for.
      splitFromSpec(isvc, latest, previous);
  if (
    previous &&
    previous !== latest &&
    !shares.some(s => s.version === previous)
  ) {
    // Promoted: the version a new canary share would go against, at 0 %.
    shares.push({ version: previous, weight: 0 });
  }

  const inCanary = shares.filter(s => s.weight > 0).length > 1;
  const ready = isvc.status?.conditions?.find(c => c.type === 'Ready');
  return {
    namespace,
    model,
    registryId: labels[ML_PLATFORM_LABELS.registry],
    versions: shares,
    router: {
      apiVersion:
        isvc.apiVersion ??
        `${INFERENCE_SERVICES.group}/${INFERENCE_SERVICES.version}`,
      kind: 'InferenceService',
      name: isvc.metadata?.name ?? '',
      resourceVersion: isvc.metadata?.resourceVersion ?? '',
      managedBy: gitOpsOwner(isvc.metadata),
    },
    progress: {
      phase: inCanary ? 'Canary' : 'Promoted',
      message:
        ready && ready.status !== 'True'
          ? ready.message ?? 'InferenceService is not Ready'
          : undefined,
    },
  };
}

function splitFromSpec(
  isvc: InferenceService,
  latest: string | undefined,
  previous: string | undefined,
): Array<{ version: string; weight: number }> {
  if (!latest) return [];
  const canary = isvc.spec?.predictor?.canaryTrafficPercent ?? 100;
  if (canary >= 100 || !previous || previous === latest)
    return [{ version: latest, weight: 100 }];
  return [
    { version: latest, weight: canary },
    { version: previous, weight: 100 - canary },
  ];
}
