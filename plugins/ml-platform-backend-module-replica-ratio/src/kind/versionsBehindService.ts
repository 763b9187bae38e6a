import type { V1Deployment, V1Service } from '@kubernetes/client-node';
import { ML_PLATFORM_LABELS } from '@mlplatform/plugin-ml-platform-common';
import { modelVersionOf } from '@mlplatform/plugin-ml-platform-node';

/** A version Deployment a model Service sends traffic to. */
export interface VersionBehind {
  version: string;
  registryId?: string;
  deployment: V1Deployment;
}

/**
 * The version Deployments a Service selects, when the Service is a model's
 * (labelled with the model, no version in its labels or selector) and selects
 * the pods of two or more versions of it; else undefined. The Service's
 * endpoints are then every ready pod of those versions, so each version gets
 * traffic in proportion to its ready replicas.
 */
export function versionsBehindService(
  service: V1Service,
  deployments: readonly V1Deployment[],
): { model: string; versions: VersionBehind[] } | undefined {
  const labels = service.metadata?.labels ?? {};
  const selector = service.spec?.selector ?? {};
  const model = labels[ML_PLATFORM_LABELS.model];
  if (
    !model ||
    labels[ML_PLATFORM_LABELS.modelVersion] ||
    selector[ML_PLATFORM_LABELS.modelVersion] ||
    Object.keys(selector).length === 0
  ) {
    return undefined;
  }
  const namespace = service.metadata?.namespace;
  const versions: VersionBehind[] = [];
  for (const deployment of deployments) {
    if (deployment.metadata?.namespace !== namespace) continue;
    const ref = modelVersionOf(deployment.metadata?.labels);
    const podLabels = deployment.spec?.template?.metadata?.labels ?? {};
    if (ref?.model !== model) continue;
    if (!Object.entries(selector).every(([k, v]) => podLabels[k] === v)) {
      continue;
    }
    versions.push({
      version: ref.version,
      registryId: ref.registryId,
      deployment,
    });
  }
  if (new Set(versions.map(v => v.version)).size < 2) return undefined;
  return {
    model,
    versions: versions.sort((a, b) =>
      (a.deployment.metadata?.name ?? '').localeCompare(
        b.deployment.metadata?.name ?? '',
      ),
    ),
  };
}

/**
 * What stands for the state of the split: the Service and each Deployment
 * behind it, as resourceVersions. Any of them changing changes the split.
 */
export function compositeResourceVersion(
  service: V1Service,
  versions: readonly VersionBehind[],
): string {
  return [
    service.metadata?.resourceVersion ?? '',
    ...versions.map(v => v.deployment.metadata?.resourceVersion ?? ''),
  ].join('.');
}
