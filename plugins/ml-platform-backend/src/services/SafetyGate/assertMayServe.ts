import { InputError } from '@backstage/errors';
import {
  decideServing,
  type ModelVersion,
  type SafetyGatePolicy,
  type ServingTarget,
} from '@mlplatform/plugin-ml-platform-common';

/**
 * The serving gate for every backend path that gives a version traffic or a
 * deployment (rollouts, each gradual step, new deployments): the rule of
 * `decideServing` from the common package, thrown as an InputError that
 * names the version, the target and the reason.
 */
export function assertMayServe(options: {
  version: ModelVersion | undefined;
  model: string;
  versionName: string;
  target: ServingTarget;
  policy: SafetyGatePolicy;
  /** What the version was about to get, e.g. `more traffic`. */
  what: string;
}): void {
  const { version, model, versionName, target, policy, what } = options;
  const decision = decideServing(
    version ?? { name: model, version: versionName },
    policy,
    target,
  );
  if (decision.allowed) return;
  throw new InputError(
    `Version ${versionName} of model '${model}' cannot get ${what} in ${target.cluster}/${target.namespace}: ${decision.reason}`,
  );
}
