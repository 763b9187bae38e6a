import { InputError } from '@backstage/errors';
import {
  decideServing,
  servingFormat,
  type ModelDetailsResponse,
  type ModelVersion,
  type SafetyGatePolicy,
  type ServingTarget,
} from '@mlplatform/plugin-ml-platform-common';
import { asServingFormat, type ServingFormat } from './servingFormat';

/**
 * Finds the version and refuses what a generated model service must not or
 * cannot serve: a version still registering or failed, one the serving gate
 * refuses for the target (only `safe` by default), or one stored in a format
 * the service has no loader for.
 */
export function checkServable(
  details: ModelDetailsResponse,
  version: string,
  options: {
    policy: SafetyGatePolicy;
    target?: ServingTarget;
    /** Formats the generated service loads; any when missing. */
    formats?: string[];
  },
): ModelVersion & { format: ServingFormat } {
  const name = details.model.name;
  const found = details.versions.find(v => v.version === version);
  if (!found) {
    const known = details.versions.map(v => v.version).join(', ') || 'none';
    throw new InputError(
      `Model ${name} has no version ${version} (versions: ${known})`,
    );
  }
  const ref = `Model version ${name}/${version}`;
  if (found.status !== 'READY') {
    throw new InputError(
      `${ref} is not ready to serve: its registry status is ${found.status}`,
    );
  }
  // Unknown versions may serve only in a place config names: without a
  // target there is none.
  const decision = options.target
    ? decideServing(found, options.policy, options.target)
    : decideServing(found, { allowUnknown: [] });
  if (!decision.allowed) {
    throw new InputError(decision.reason);
  }
  const format = asServingFormat(
    found.safety ? servingFormat(found.safety) : 'unknown',
  );
  const { formats } = options;
  if (formats && formats.length > 0 && !formats.includes(format)) {
    throw new InputError(
      `${ref} is stored as ${format}, which this template's service cannot load: it loads ${formats.join(
        ', ',
      )}. Log the model in one of those formats.`,
    );
  }
  return { ...found, format };
}
