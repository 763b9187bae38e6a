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
import type {
  RolloutRequest,
  RolloutResult,
  RolloutSplit,
} from '@mlplatform/plugin-ml-platform-common';

const PLUGIN_ID = 'ml-platform';

interface ErrorBody {
  error?: { name?: string; message?: string };
  current?: RolloutSplit;
  resourceVersion?: string;
}

function formatSplit(split: RolloutSplit): string {
  return split.versions.map(v => `${v.version}: ${v.percent}%`).join(', ');
}

async function toError(response: Response): Promise<Error> {
  const text = await response.text();
  let body: ErrorBody = {};
  try {
    body = JSON.parse(text);
  } catch {
    // Not a Backstage error body, e.g. from a proxy in between.
  }
  const message =
    body.error?.message ?? (text.trim() || response.statusText || 'no body');
  const prefix = `The ML Platform refused the rollout (${response.status})`;
  switch (response.status) {
    case 400:
      return new InputError(`${prefix}: ${message}`);
    case 403:
      return new NotAllowedError(`${prefix}: ${message}`);
    case 404:
      return new NotFoundError(`${prefix}: ${message}`);
    case 409: {
      // The object changed since it was read; the body has its split now so
      // that whoever runs the template can decide again.
      const now = body.current
        ? ` Current split: ${formatSplit(body.current)}.`
        : '';
      const version = body.resourceVersion
        ? ` Run again with expectedResourceVersion ${body.resourceVersion} to apply against it.`
        : '';
      const sentence = /[.!?]$/.test(message) ? message : `${message}.`;
      return new ConflictError(`${prefix}: ${sentence}${now}${version}`);
    }
    default:
      return new Error(
        `The ML Platform failed the rollout (${response.status}): ${message}`,
      );
  }
}

/**
 * Calls `POST /api/ml-platform/rollouts` on behalf of whoever started the
 * task, so the backend applies the same permission checks as for that user
 * in the portal.
 */
export async function postRollout(options: {
  discovery: DiscoveryService;
  auth: AuthService;
  credentials: BackstageCredentials;
  request: RolloutRequest;
}): Promise<RolloutResult> {
  const { discovery, auth, credentials, request } = options;
  const baseUrl = await discovery.getBaseUrl(PLUGIN_ID);
  const { token } = await auth.getPluginRequestToken({
    onBehalfOf: credentials,
    targetPluginId: PLUGIN_ID,
  });
  const response = await fetch(`${baseUrl}/rollouts`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${token}`,
      'Content-Type': 'application/json',
    },
    body: JSON.stringify(request),
  });
  if (!response.ok) {
    throw await toError(response);
  }
  return (await response.json()) as RolloutResult;
}

/** `2: 90%, 3: 10%`, for the task log. */
export function describeSplit(split: RolloutSplit): string {
  return split.versions.length > 0 ? formatSplit(split) : 'no traffic';
}
