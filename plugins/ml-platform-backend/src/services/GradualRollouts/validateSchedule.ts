import { InputError } from '@backstage/errors';
import {
  REQUEST_LIMITS,
  type GradualRolloutRequest,
} from '@mlplatform/plugin-ml-platform-common';

const MAX_WAIT_SECONDS = 24 * 60 * 60;
const MAX_STEPS = REQUEST_LIMITS.gradualSteps;

const isText = (value: unknown): value is string =>
  typeof value === 'string' && value.trim() !== '';

/**
 * Rejects, naming the field, a request whose schedule could not run to the
 * end: the steps must raise the target's share up to 100 %, with waits
 * between 0 and one day.
 */
export function validateSchedule(request: GradualRolloutRequest): void {
  for (const field of ['model', 'cluster', 'namespace'] as const) {
    if (!isText(request[field])) {
      throw new InputError(`'${field}' must be a non-empty string`);
    }
  }
  if (request.registryId !== undefined && !isText(request.registryId)) {
    throw new InputError(`'registryId' must be a non-empty string when given`);
  }
  if (!isText(request.target?.version)) {
    throw new InputError(`'target.version' must be a non-empty string`);
  }
  const steps = request.steps;
  if (!Array.isArray(steps) || steps.length === 0) {
    throw new InputError(`'steps' must list at least one step`);
  }
  if (steps.length > MAX_STEPS) {
    throw new InputError(`'steps' may list at most ${MAX_STEPS} steps`);
  }
  let previous = 0;
  steps.forEach((step, i) => {
    const { percent, waitSeconds } = step ?? {};
    if (!Number.isInteger(percent) || percent < 1 || percent > 100) {
      throw new InputError(
        `'steps[${i}].percent' must be an integer from 1 to 100, got ${percent}`,
      );
    }
    if (percent <= previous) {
      throw new InputError(
        `'steps[${i}].percent' must be greater than the step before (${previous}), got ${percent}`,
      );
    }
    if (
      typeof waitSeconds !== 'number' ||
      !Number.isFinite(waitSeconds) ||
      waitSeconds < 0 ||
      waitSeconds > MAX_WAIT_SECONDS
    ) {
      throw new InputError(
        `'steps[${i}].waitSeconds' must be from 0 to ${MAX_WAIT_SECONDS} (one day), got ${waitSeconds}`,
      );
    }
    previous = percent;
  });
  if (previous !== 100) {
    throw new InputError(
      `'steps[${
        steps.length - 1
      }].percent' must be 100: the last step promotes the target`,
    );
  }
}
