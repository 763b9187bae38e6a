import { InputError } from '@backstage/errors';
import {
  MAX_ROLLOUT_WEIGHT,
  type RolloutRequest,
} from '@mlplatform/plugin-ml-platform-common';

/**
 * The checks that need no cluster: which fields each strategy needs, so a
 * dry run reports a template mistake before it reaches the backend. Which
 * versions exist and may get traffic only the backend knows.
 */
export function checkRolloutRequest(request: RolloutRequest): void {
  const { strategy, weights, target } = request;
  const unused = (field: string) => {
    throw new InputError(`${field}: not used by the ${strategy} strategy`);
  };

  if (strategy === 'split') {
    const entries = Object.entries(weights ?? {});
    if (entries.length === 0) {
      throw new InputError('weights: name at least one version and its weight');
    }
    for (const [version, weight] of entries) {
      if (
        !Number.isInteger(weight) ||
        weight < 0 ||
        weight > MAX_ROLLOUT_WEIGHT
      ) {
        throw new InputError(
          `weights.${version}: expected an integer from 0 to ${MAX_ROLLOUT_WEIGHT}, got ${weight}`,
        );
      }
    }
    if (entries.every(([, weight]) => weight === 0)) {
      throw new InputError('weights: at least one version must get traffic');
    }
    if (target) unused('target');
    return;
  }
  if (weights) unused('weights');

  if (strategy === 'canary' || strategy === 'promote') {
    if (!target?.version) {
      throw new InputError(
        `target.version: the ${strategy} strategy needs the version to send traffic to`,
      );
    }
    if (strategy === 'canary' && target.percent === undefined) {
      throw new InputError(
        'target.percent: the canary strategy needs the share of the target version',
      );
    }
    return;
  }
  if (target) unused('target');
}
