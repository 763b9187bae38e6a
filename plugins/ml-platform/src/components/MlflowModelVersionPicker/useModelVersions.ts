import useAsync from 'react-use/esm/useAsync';
import { useApi } from '@backstage/frontend-plugin-api';
import { mlPlatformApiRef } from '../../api';

/** The versions of the chosen model, newest first, with verdicts and aliases. */
export const useModelVersions = (model?: string, registry?: string) => {
  const api = useApi(mlPlatformApiRef);
  return useAsync(async () => {
    if (!model) {
      return undefined;
    }
    const details = await api.getModel(model, registry);
    return details?.versions ?? [];
  }, [api, model, registry]);
};
