import {
  createKubeClient,
  kubeConfigFor,
  type KubeClient,
} from '@mlplatform/plugin-ml-platform-node';
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

/** A test's setup may wait on the apiserver longer than a portal's request. */
const TEST_REQUEST_TIMEOUT_MS = 60_000;

const clients = new Map<string, KubeClient>();

/**
 * The Kubernetes module's client of the local apiserver, as its admin (or
 * with the given bearer token), for a test's own setup, checks and clean-up
 * outside the code under test. kube.json is read on every call: a test of
 * the platform may restart the apiserver with a new address.
 */
export function localKubeClient(token?: string): KubeClient {
  return kubeClientOf(readPlatformFile<LocalKube>('kube'), token);
}

/**
 * The Kubernetes module's client of the apiserver a kube.json describes (the
 * local platform's, or a second instance's), as its admin or with `token`.
 */
export function kubeClientOf(kube: LocalKube, token?: string): KubeClient {
  const bearer = token ?? kube.token;
  const key = `${kube.server}\n${kube.caData}\n${bearer}`;
  let client = clients.get(key);
  if (!client) {
    client = createKubeClient(
      kube.name,
      kubeConfigFor({
        name: kube.name,
        url: kube.server,
        authProvider: 'serviceAccount',
        getToken: async () => bearer,
        caData: kube.caData,
        skipTLSVerify: false,
        inCluster: false,
      }),
      { policy: { timeoutMs: TEST_REQUEST_TIMEOUT_MS } },
    );
    clients.set(key, client);
  }
  return client;
}

/**
 * A request of a test itself to the local apiserver by path, as its admin
 * (or with the given bearer token), through {@link localKubeClient}: answers
 * the status and the body, whatever the status.
 */
export function kubeRequest(
  method: string,
  urlPath: string,
  body?: unknown,
  contentType = 'application/json',
  token?: string,
): Promise<{ status: number; body: any }> {
  const url = new URL(urlPath, 'http://apiserver');
  return localKubeClient(token).request({
    method: method as 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    body,
    contentType,
  });
}

/**
 * {@link kubeRequest} as the admin, for a test's own setup and clean-up:
 * answers the body, and throws with the apiserver's answer on any status
 * other than 2xx.
 */
export async function kubeAdminRequest(
  method: string,
  urlPath: string,
  body?: unknown,
): Promise<any> {
  const res = await kubeRequest(method, urlPath, body);
  if (res.status >= 300) {
    throw new Error(
      `${method} ${urlPath}: ${res.status} ${JSON.stringify(res.body)}`,
    );
  }
  return res.body;
}
