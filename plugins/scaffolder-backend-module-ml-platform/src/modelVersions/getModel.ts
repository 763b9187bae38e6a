import type {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError } from '@backstage/errors';
import type { ModelDetailsResponse } from '@mlplatform/plugin-ml-platform-common';

const PLUGIN_ID = 'ml-platform';

/**
 * Calls `GET /api/ml-platform/models/:name` on behalf of whoever started the
 * task, so the user sees in the template only the models the portal shows
 * them. A model the backend does not know is the template's input error.
 */
export async function getModel(options: {
  discovery: DiscoveryService;
  auth: AuthService;
  credentials: BackstageCredentials;
  model: string;
  registry?: string;
}): Promise<ModelDetailsResponse> {
  const { discovery, auth, credentials, model, registry } = options;
  const baseUrl = await discovery.getBaseUrl(PLUGIN_ID);
  const { token } = await auth.getPluginRequestToken({
    onBehalfOf: credentials,
    targetPluginId: PLUGIN_ID,
  });
  const query = registry ? `?registry=${encodeURIComponent(registry)}` : '';
  const response = await fetch(
    `${baseUrl}/models/${encodeURIComponent(model)}${query}`,
    { headers: { Authorization: `Bearer ${token}` } },
  );
  if (response.ok) {
    return (await response.json()) as ModelDetailsResponse;
  }
  const text = await response.text();
  let message = text.trim() || response.statusText;
  try {
    message = JSON.parse(text).error?.message ?? message;
  } catch {
    // Not a Backstage error body, e.g. from a proxy in between.
  }
  const where = registry ? ` in registry '${registry}'` : '';
  switch (response.status) {
    case 404:
      throw new InputError(`Unknown model '${model}'${where}: ${message}`);
    case 400:
      throw new InputError(`Model '${model}'${where}: ${message}`);
    case 401:
    case 403:
      throw new NotAllowedError(
        `Reading model '${model}' was refused: ${message}`,
      );
    default:
      throw new Error(
        `The ML Platform could not read model '${model}'${where} (${response.status}): ${message}`,
      );
  }
}
