import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import useDebounce from 'react-use/esm/useDebounce';
import { useApi } from '@backstage/frontend-plugin-api';
import { mlPlatformApiRef } from '../../api';

/** Enough to find a model by name without scrolling a long list. */
const SEARCH_PAGE_SIZE = 20;

/**
 * The registered models whose name or description matches the search text,
 * searched on the backend (a registry may hold thousands of models).
 */
export const useModelSearch = (search: string, allowedModels?: string[]) => {
  const api = useApi(mlPlatformApiRef);
  const [debounced, setDebounced] = useState(search);
  useDebounce(() => setDebounced(search), 250, [search]);

  const allowedKey = allowedModels?.join('\n');
  return useAsync(async () => {
    const page = await api.listModels({
      search: debounced.trim() || undefined,
      limit: allowedModels ? 500 : SEARCH_PAGE_SIZE,
    });
    const items = allowedModels
      ? page.items.filter(m => allowedModels.includes(m.name))
      : page.items;
    return {
      items,
      totalCount: allowedModels ? items.length : page.totalCount,
      unreachable: page.registries.filter(r => !r.ok),
    };
    // allowedKey stands for allowedModels, whose array identity changes per render.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, debounced, allowedKey]);
};
