import useAsync from 'react-use/esm/useAsync';
import { useApi } from '@backstage/frontend-plugin-api';
import { mlPlatformApiRef } from '../../api';

// The largest page the backend serves.
const SAMPLE_SIZE = 500;

const sorted = (values: Iterable<string>) =>
  [...new Set(values)].sort((a, b) => a.localeCompare(b));

/**
 * Owners and aliases to offer in the filters. The backend has no list of
 * them, so they are collected from one unfiltered page of up to 500 models;
 * beyond that, a value set through the URL is still offered.
 */
export function useFilterOptions(): { owners: string[]; aliases: string[] } {
  const api = useApi(mlPlatformApiRef);
  const { value } = useAsync(async () => {
    const { items } = await api.listModels({ limit: SAMPLE_SIZE });
    return {
      owners: sorted(items.flatMap(m => (m.owner ? [m.owner] : []))),
      aliases: sorted(items.flatMap(m => Object.keys(m.aliases))),
    };
  }, [api]);
  return value ?? { owners: [], aliases: [] };
}
