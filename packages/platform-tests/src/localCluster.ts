import { readPlatformFile } from './platformEnv';

/** What `scripts/platform/kube.sh start` writes to kube.json. */
export interface LocalKube {
  name: string;
  server: string;
  caData: string;
  caFile: string;
  token: string;
  restrictedToken: string;
  kubeconfig: string;
}

/**
 * The local apiserver as an entry of the standard `kubernetes` config
 * section's cluster list, with the admin token; fields can be overridden.
 */
export function localClusterConfig(
  overrides: Record<string, string | boolean> = {},
) {
  const kube = readPlatformFile<LocalKube>('kube');
  return {
    name: 'local',
    url: kube.server,
    authProvider: 'serviceAccount',
    serviceAccountToken: kube.token,
    caData: kube.caData,
    ...overrides,
  };
}
