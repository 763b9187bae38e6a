import {
  ModelVersion,
  SafetyGatePolicy,
  ServingTarget,
  decideServing,
  readSafetyGatePolicy,
  servingFormat,
} from '@mlplatform/plugin-ml-platform-common';
import { MlflowModelVersionPickerUiOptions } from './schema';

/** What decides which versions a template may serve. */
export interface ServingRules {
  /** `mlPlatform.safety` from the app's config. */
  policy: SafetyGatePolicy;
  /** Where the service will run, once the form knows. */
  target?: ServingTarget;
  /** The formats the template's service loads (`ui:options.formats`). */
  formats?: string[];
}

/**
 * The rules from the field's options, the app's config and the form's data:
 * the target is read from the form fields `ui:options.clusterField` and
 * `namespaceField` (default `cluster` and `namespace`) once they are filled.
 */
export function servingRules(
  config: Parameters<typeof readSafetyGatePolicy>[0] | undefined,
  options: MlflowModelVersionPickerUiOptions | undefined,
  formData: Record<string, unknown> | undefined,
): ServingRules {
  const cluster = formData?.[options?.clusterField ?? 'cluster'];
  const namespace = formData?.[options?.namespaceField ?? 'namespace'];
  return {
    policy: config ? readSafetyGatePolicy(config) : { allowUnknown: [] },
    target:
      typeof cluster === 'string' && typeof namespace === 'string' && cluster
        ? { cluster, namespace }
        : undefined,
    formats: options?.formats,
  };
}

/**
 * Why a version cannot back a new model service, or undefined when it can:
 * the serving gate's rule (only `safe`, `unknown` only where config allows
 * it), a registered version with an artifact to build from, and a format
 * the template's service loads. The scaffolder's
 * `ml-platform:model-version:check` step applies the same rule for the
 * chosen cluster and namespace; saying so in the form spares the user a
 * failed run.
 */
export const refusalReason = (
  version: ModelVersion,
  rules: ServingRules,
): string | undefined => {
  const label = `${version.name} v${version.version}`;
  if (version.status !== 'READY') {
    return `${label} is ${version.status}, not READY: only a fully registered version has an artifact to serve.`;
  }
  const decision = decideServing(version, rules.policy, rules.target);
  if (!decision.allowed) return decision.reason;
  const format = version.safety ? servingFormat(version.safety) : 'unknown';
  if (rules.formats?.length && !rules.formats.includes(format)) {
    return `${label} is stored as ${format}, which this template's service cannot load: it loads ${rules.formats.join(
      ', ',
    )}.`;
  }
  return undefined;
};

/** A caution for a version the gate lets through only as `unknown`. */
export const unknownCaution = (
  version: ModelVersion,
  rules: ServingRules,
): string | undefined => {
  if (version.safety?.safety === 'safe') return undefined;
  const places = rules.policy.allowUnknown
    .map(a => (a.namespace ? `${a.cluster}/${a.namespace}` : a.cluster))
    .join(', ');
  return `${version.name} v${version.version} could not be fully checked; it may serve only in ${places}.`;
};
