import type {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError } from '@backstage/errors';
import type { ModelDetailsResponse } from '@mlplatform/plugin-ml-platform-common';
import { callMlPlatform } from '../mlPlatform/callMlPlatform';
import { responseErrorOf } from '../mlPlatform/responseErrorOf';

/**
 * Reads a model through the ML Platform backend on behalf of whoever started
 * the task, so the user sees in the template only the models the portal
 * shows them. A model the backend does not know is the template's input
 * error.
 */
export async function getModel(options: {
  discovery: DiscoveryService;
  auth: AuthService;
  credentials: BackstageCredentials;
  model: string;
  registry?: string;
}): Promise<ModelDetailsResponse> {
  const { model, registry, ...services } = options;
  const where = registry ? ` in registry '${registry}'` : '';
  let details: ModelDetailsResponse | undefined;
  try {
    details = await callMlPlatform(services, (client, token) =>
      client.getModel(model, registry, { token }),
    );
  } catch (error) {
    const refusal = responseErrorOf(error);
    if (!refusal) throw error;
    const { status, message } = refusal;
    switch (status) {
      case 400:
        throw new InputError(`Model '${model}'${where}: ${message}`);
      case 401:
      case 403:
        throw new NotAllowedError(
          `Reading model '${model}' was refused: ${message}`,
        );
      default:
        throw new Error(
          `The ML Platform could not read model '${model}'${where} (${status}): ${message}`,
        );
    }
  }
  if (!details) {
    throw new InputError(
      `Unknown model '${model}'${where}: no registry has it`,
    );
  }
  return details;
}
