import { readPlatformFile } from './platformEnv';

/** What scripts/platform/mlflow.sh writes to mlflow.json: the server and its admin user. */
export interface LocalMlflow {
  url: string;
  username: string;
  password: string;
}

/**
 * A REST call to the local MLflow as its admin, for what the plugins never do
 * themselves: creating and deleting models, testing a webhook. `path` is below
 * /api/2.0/mlflow/, e.g. `registered-models/create`. Answers the parsed body;
 * throws with MLflow's answer on any status other than 2xx.
 */
export async function mlflowAdminApi(
  method: string,
  path: string,
  body?: unknown,
): Promise<any> {
  return mlflowApiOf(readPlatformFile<LocalMlflow>('mlflow'))(
    method,
    path,
    body,
  );
}

/** {@link mlflowAdminApi} of the MLflow server an mlflow.json describes. */
export function mlflowApiOf(env: LocalMlflow) {
  const authorization = `Basic ${Buffer.from(
    `${env.username}:${env.password}`,
  ).toString('base64')}`;
  return async (method: string, path: string, body?: unknown): Promise<any> => {
    const res = await fetch(`${env.url}/api/2.0/mlflow/${path}`, {
      method,
      headers: { authorization, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok)
      throw new Error(`MLflow ${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : {};
  };
}
