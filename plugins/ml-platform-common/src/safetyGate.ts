import type { Config } from '@backstage/config';
import type { ModelVersion } from './types';

/**
 * Where `unknown` versions may be served: a cluster, or one namespace of it.
 * @public
 */
export interface UnknownSafetyAllowance {
  cluster: string;
  /** Every namespace of the cluster when missing. */
  namespace?: string;
}

/**
 * The serving gate's settings (`mlPlatform.safety` in config).
 * @public
 */
export interface SafetyGatePolicy {
  /** Where a version whose verdict is `unknown` may still serve. Empty by default: nowhere. */
  allowUnknown: UnknownSafetyAllowance[];
}

/**
 * Where a version would serve.
 * @public
 */
export interface ServingTarget {
  cluster: string;
  namespace: string;
}

/**
 * The gate's answer for one version and target.
 * @public
 */
export type ServingDecision =
  | { allowed: true; safety: 'safe' | 'unknown' }
  | { allowed: false; safety: 'unsafe' | 'unknown'; reason: string };

/**
 * Reads `mlPlatform.safety.allowUnknown` into a {@link SafetyGatePolicy}.
 * Takes the backend's root config as well as the frontend's config API.
 * @public
 */
export function readSafetyGatePolicy(config: Config): SafetyGatePolicy {
  const entries =
    config.getOptionalConfigArray('mlPlatform.safety.allowUnknown') ?? [];
  return {
    allowUnknown: entries.map(e => ({
      cluster: e.getString('cluster'),
      namespace: e.getOptionalString('namespace'),
    })),
  };
}

function allowsUnknown(policy: SafetyGatePolicy, target: ServingTarget) {
  return policy.allowUnknown.some(
    a =>
      a.cluster === target.cluster &&
      (a.namespace === undefined || a.namespace === target.namespace),
  );
}

function places(policy: SafetyGatePolicy): string {
  return policy.allowUnknown
    .map(a => (a.namespace ? `${a.cluster}/${a.namespace}` : a.cluster))
    .join(', ');
}

/**
 * The one rule for whether a model version may serve (gain traffic, back a
 * new deployment or a generated model service): only a `safe` verdict, read
 * from the artifact's bytes, passes by default; an `unknown` one (or none:
 * the version could not be read) passes only where the policy allows unknown
 * for the target's cluster or namespace; `unsafe` never does.
 *
 * Without a target (a form that has not asked for the cluster yet), an
 * unknown version passes only if some place allows it, and the reason says
 * where; the check at deployment time decides for the real target.
 * @public
 */
export function decideServing(
  version: Pick<ModelVersion, 'name' | 'version' | 'safety' | 'safetyError'>,
  policy: SafetyGatePolicy,
  target?: ServingTarget,
): ServingDecision {
  const label = `${version.name} v${version.version}`;
  const verdict = version.safety;
  if (verdict?.safety === 'safe') return { allowed: true, safety: 'safe' };
  if (verdict?.safety === 'unsafe') {
    return {
      allowed: false,
      safety: 'unsafe',
      reason: `${label} is unsafe to serve: ${verdict.reason}`,
    };
  }
  const why = verdict
    ? verdict.reason
    : `its files could not be checked (${
        version.safetyError ?? 'no verdict yet'
      }).`;
  const allowed = target
    ? allowsUnknown(policy, target)
    : policy.allowUnknown.length > 0;
  if (allowed) return { allowed: true, safety: 'unknown' };
  const where = target ? ` in ${target.cluster}/${target.namespace}` : '';
  const elsewhere =
    policy.allowUnknown.length > 0
      ? ` Unknown versions may serve only in ${places(policy)}.`
      : ' Unknown versions may serve only where mlPlatform.safety.allowUnknown names the cluster or namespace.';
  return {
    allowed: false,
    safety: 'unknown',
    reason: `${label} may not serve${where}: its serialization is unknown, ${why.replace(
      /^./,
      c => c.toLowerCase(),
    )}${elsewhere}`,
  };
}
