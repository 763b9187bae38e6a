import { readPlatformFile } from 'platform-tests';
import { MlflowClient } from '../MlflowClient';

/** What scripts/platform/mlflow.sh writes: the server and its admin user. */
export interface LocalMlflow {
  url: string;
  username: string;
  password: string;
}

/**
 * The local platform's MLflow as its admin: the plugin's own client, and
 * plain REST calls for what the plugin never does (creating and deleting
 * models, testing a webhook).
 */
export function localMlflowAdmin() {
  const env = readPlatformFile<LocalMlflow>('mlflow');
  const auth = { username: env.username, password: env.password };
  const authorization = `Basic ${Buffer.from(
    `${auth.username}:${auth.password}`,
  ).toString('base64')}`;
  return {
    env,
    client: new MlflowClient({ baseUrl: env.url, auth }),
    /** `path` below /api/2.0/mlflow/, e.g. `registered-models/create`. */
    async api(method: string, path: string, body?: unknown): Promise<any> {
      const res = await fetch(`${env.url}/api/2.0/mlflow/${path}`, {
        method,
        headers: { authorization, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
      return text ? JSON.parse(text) : {};
    },
  };
}
