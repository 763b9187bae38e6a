import type {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import {
  RolloutConflictError,
  type RolloutRequest,
  type RolloutResult,
  type RolloutSplit,
} from '@mlplatform/plugin-ml-platform-common';
import { callMlPlatform } from '../mlPlatform/callMlPlatform';
import { responseErrorOf } from '../mlPlatform/responseErrorOf';

function formatSplit(split: RolloutSplit): string {
  return split.versions.map(v => `${v.version}: ${v.percent}%`).join(', ');
}

const PREFIX = 'The ML Platform refused the rollout';

/** The task log's wording of what the backend answered. */
function toTaskError(error: unknown): unknown {
  if (error instanceof RolloutConflictError) {
    // The object changed since it was read; the split now and its version
    // let whoever runs the template decide again.
    const sentence = /[.!?]$/.test(error.message)
      ? error.message
      : `${error.message}.`;
    return new ConflictError(
      `${PREFIX} (409): ${sentence} Current split: ${formatSplit(
        error.current,
      )}. Run again with expectedResourceVersion ${
        error.resourceVersion
      } to apply against it.`,
    );
  }
  const refusal = responseErrorOf(error);
  if (!refusal) return error;
  const { status, message } = refusal;
  switch (status) {
    case 400:
      return new InputError(`${PREFIX} (${status}): ${message}`);
    case 403:
      return new NotAllowedError(`${PREFIX} (${status}): ${message}`);
    case 404:
      return new NotFoundError(`${PREFIX} (${status}): ${message}`);
    case 409:
      return new ConflictError(`${PREFIX} (${status}): ${message}`);
    default:
      return new Error(
        `The ML Platform failed the rollout (${status}): ${message}`,
      );
  }
}

/**
 * Sends the rollout to the ML Platform backend on behalf of whoever started
 * the task.
 */
export async function postRollout(options: {
  discovery: DiscoveryService;
  auth: AuthService;
  credentials: BackstageCredentials;
  request: RolloutRequest;
}): Promise<RolloutResult> {
  const { request, ...services } = options;
  try {
    return await callMlPlatform(services, (client, token) =>
      client.startRollout(request, { token }),
    );
  } catch (error) {
    throw toTaskError(error);
  }
}

/** `2: 90%, 3: 10%`, for the task log. */
export function describeSplit(split: RolloutSplit): string {
  return split.versions.length > 0 ? formatSplit(split) : 'no traffic';
}
