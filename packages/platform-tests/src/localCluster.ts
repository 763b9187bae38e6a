import https from 'node:https';
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

/**
 * A request of a test itself to the local apiserver, as its admin (or with
 * the given bearer token), outside the code under test. No keep-alive, so no
 * socket outlives the test.
 */
export function kubeRequest(
  method: string,
  urlPath: string,
  body?: unknown,
  contentType = 'application/json',
  token?: string,
): Promise<{ status: number; body: any }> {
  const kube = readPlatformFile<LocalKube>('kube');
  const data = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request(
      new URL(urlPath, kube.server),
      {
        method,
        agent: false,
        ca: Buffer.from(kube.caData, 'base64'),
        headers: {
          Authorization: `Bearer ${token ?? kube.token}`,
          Accept: 'application/json',
          ...(data !== undefined && { 'Content-Type': contentType }),
        },
      },
      res => {
        const chunks: Buffer[] = [];
        res.on('data', c => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            body: text ? JSON.parse(text) : undefined,
          });
        });
      },
    );
    req.on('error', reject);
    req.end(data);
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
