import {
  ModelDeployment,
  ModelSummary,
  ModelVersion,
  RegisteredModel,
  SerializationSafety,
} from '@mlplatform/plugin-ml-platform-common';
import { medianLeadTime } from './attachLeadTimes';

const RISK: Record<SerializationSafety, number> = {
  safe: 0,
  unknown: 1,
  unsafe: 2,
};

/**
 * Whether a deployment of some model is of this one: same name, and the
 * registry its `ml-platform.io/registry` label names, or without the label
 * the default registry. (A deployment without the label is never a
 * same-named model's of every registry: a rollout of one must not move the
 * traffic of another.)
 */
export const isDeploymentOf =
  (model: RegisteredModel, defaultRegistryId: string | undefined) =>
  (d: ModelDeployment) =>
    d.model === model.name &&
    (d.registryId ?? defaultRegistryId) === model.registryId;

/**
 * A model's listing row. Safety is what users need before they send traffic:
 * the least safe of the versions serving traffic, or of the latest version
 * when nothing serves. Versions come with their lead times attached.
 */
export function summarizeModel(
  model: RegisteredModel,
  versions: ModelVersion[],
  deployments: ModelDeployment[],
): ModelSummary {
  const serving = new Set(
    deployments.flatMap(d =>
      d.versions.filter(v => v.percent > 0).map(v => v.version),
    ),
  );
  const judged = versions.filter(v =>
    serving.size > 0
      ? serving.has(v.version)
      : v.version === model.latestVersion,
  );
  const worst = judged
    .filter(v => v.safety)
    .sort((a, b) => RISK[b.safety!.safety] - RISK[a.safety!.safety])[0];

  return {
    ...model,
    owner: model.tags.owner,
    deployments: deployments.map(d => ({
      cluster: d.cluster,
      namespace: d.namespace,
      versions: d.versions.map(v => ({
        version: v.version,
        percent: v.percent,
      })),
    })),
    safety: worst?.safety?.safety,
    safetyReason: worst
      ? `v${worst.version}: ${worst.safety!.reason}`
      : undefined,
    leadTime: medianLeadTime(versions),
  };
}
