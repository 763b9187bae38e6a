import type {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { MlPlatformClient } from '@mlplatform/plugin-ml-platform-common';

const PLUGIN_ID = 'ml-platform';

/**
 * Runs `call` with the common ML Platform client and a token on behalf of
 * whoever started the task, so the backend applies the same permission
 * checks as for that user in the portal.
 */
export async function callMlPlatform<T>(
  services: {
    discovery: DiscoveryService;
    auth: AuthService;
    credentials: BackstageCredentials;
  },
  call: (client: MlPlatformClient, token: string) => Promise<T>,
): Promise<T> {
  const { discovery, auth, credentials } = services;
  const { token } = await auth.getPluginRequestToken({
    onBehalfOf: credentials,
    targetPluginId: PLUGIN_ID,
  });
  return call(new MlPlatformClient({ discoveryApi: discovery }), token);
}
