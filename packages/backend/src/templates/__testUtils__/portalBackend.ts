import { platformFilePath } from 'platform-tests';
import {
  BackendProcess,
  eventually,
  startBackendProcess,
} from '../../testing/startBackendProcess';

export interface PortalOnPlatform {
  backend: BackendProcess;
  /** A guest token issued once the guest's teams are in the catalog. */
  token: string;
}

/**
 * The portal's real backend (src/index.ts with app-config.yaml) pointed at
 * the local ML platform, with a guest token that names the guest's teams.
 * `configs` are more config files, read last; `env` more variables.
 */
export async function startPortalOnPlatform(
  options: { configs?: string[]; env?: Record<string, string> } = {},
): Promise<PortalOnPlatform> {
  const backend = await startBackendProcess({
    configs: [
      platformFilePath('app-config.platform.yaml'),
      ...(options.configs ?? []),
    ],
    env: options.env,
  });
  try {
    return { backend, token: await signInOnceReady(backend) };
  } catch (e) {
    // A backend that never got ready is stopped here: the caller has no
    // handle on it to stop.
    await backend.stop();
    throw e;
  }
}

async function signInOnceReady(backend: BackendProcess): Promise<string> {
  let token = await backend.signInAsGuest();
  // The first catalog pass takes minutes when the machine is busy.
  await eventually(
    async () => {
      const res = await fetch(
        `${backend.baseUrl}/api/catalog/entities/by-name/user/default/guest`,
        { headers: { authorization: `Bearer ${token}` } },
      );
      return res.ok ? true : undefined;
    },
    'the guest user in the catalog',
    300_000,
  );
  token = await backend.signInAsGuest();
  // The model check reads the registry through the ML Platform backend,
  // whose first read of MLflow happens after start.
  await eventually(
    async () => {
      const res = await fetch(`${backend.baseUrl}/api/ml-platform/models`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const body = res.ok ? await res.json() : undefined;
      return body?.registries?.[0]?.ok ? true : undefined;
    },
    'the first read of MLflow',
    300_000,
  );
  return token;
}
