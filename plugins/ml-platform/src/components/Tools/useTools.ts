import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { useApi } from '@backstage/frontend-plugin-api';
import { mlPlatformApiRef } from '../../api';

/** The tools the backend found, re-read on demand. */
export function useTools() {
  const api = useApi(mlPlatformApiRef);
  return useAsyncRetry(() => api.getTools(), [api]);
}
