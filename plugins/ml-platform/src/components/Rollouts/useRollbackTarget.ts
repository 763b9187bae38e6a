import { useApi } from '@backstage/frontend-plugin-api';
import { ModelDeployment } from '@mlplatform/plugin-ml-platform-common';
import useAsync from 'react-use/esm/useAsync';
import { mlPlatformApiRef } from '../../api';

/**
 * What a rollback would restore: the split before the latest succeeded
 * rollout of this deployment, read from the audit trail only when asked for.
 */
export const useRollbackTarget = (
  deployment: ModelDeployment,
  enabled: boolean,
) => {
  const api = useApi(mlPlatformApiRef);
  return useAsync(async () => {
    if (!enabled) {
      return undefined;
    }
    const page = await api.listRolloutHistory(deployment.model, {
      registryId: deployment.registryId,
      cluster: deployment.cluster,
      namespace: deployment.namespace,
      limit: 50,
    });
    const latest = page.items.find(r => r.result === 'succeeded' && r.before);
    return latest ? { record: latest } : { record: undefined };
  }, [api, deployment, enabled]);
};
