import { mlflowAdminApi, readPlatformFile, LocalMlflow } from 'platform-tests';
import { MlflowClient } from '../MlflowClient';

/**
 * The local platform's MLflow as its admin: the plugin's own client, and
 * plain REST calls for what the plugin never does (creating and deleting
 * models, testing a webhook).
 */
export function localMlflowAdmin() {
  const env = readPlatformFile<LocalMlflow>('mlflow');
  return {
    env,
    client: new MlflowClient({
      baseUrl: env.url,
      auth: { username: env.username, password: env.password },
    }),
    api: mlflowAdminApi,
  };
}
