import { useCallback, useMemo } from 'react';
import { useAppSearchParams } from '@backstage/frontend-plugin-api';
import { SerializationSafety } from '@mlplatform/plugin-ml-platform-common';
import { ModelListQuery } from '@mlplatform/plugin-ml-platform-common';

/** What the Models page filters by; every field lives in the URL query. */
export type ModelFilters = Omit<ModelListQuery, 'offset' | 'limit'>;

export type ModelFilterKey = keyof ModelFilters;

export const PAGE_SIZES = [25, 50, 100];

const SAFETY_VALUES: readonly string[] = ['safe', 'unsafe', 'unknown'];
const DEPLOYED_VALUES: Record<string, boolean> = { true: true, false: false };
const FILTER_KEYS: ModelFilterKey[] = [
  'search',
  'owner',
  'alias',
  'cluster',
  'safety',
  'deployed',
];

const readFilters = (params: URLSearchParams): ModelFilters => {
  const text = (key: string) => params.get(key) || undefined;
  const safety = text('safety');
  const deployed = text('deployed');
  return {
    search: text('search'),
    owner: text('owner'),
    alias: text('alias'),
    cluster: text('cluster'),
    // A hand-edited URL with a value the backend rejects is ignored instead.
    safety: SAFETY_VALUES.includes(safety ?? '')
      ? (safety as SerializationSafety)
      : undefined,
    deployed: deployed === undefined ? undefined : DEPLOYED_VALUES[deployed],
  };
};

const readNumber = (params: URLSearchParams, key: string) => {
  const value = Number(params.get(key));
  return Number.isInteger(value) && value > 0 ? value : undefined;
};

/**
 * The Models page's filters and page, read from and written to the URL so a
 * view can be shared by its link.
 */
export function useModelFilters() {
  const [params, setParams] = useAppSearchParams();
  // One object per distinct set of filters: the table reloads when its
  // identity changes, which must not happen when only the page changes.
  const filtersJson = JSON.stringify(readFilters(params));
  const filters = useMemo(
    () => JSON.parse(filtersJson) as ModelFilters,
    [filtersJson],
  );
  const offset = readNumber(params, 'offset') ?? 0;
  const pageSize = readNumber(params, 'pageSize');
  const active = FILTER_KEYS.some(k => filters[k] !== undefined);

  const setFilter = useCallback(
    <K extends ModelFilterKey>(key: K, value: ModelFilters[K]) => {
      setParams(
        previous => {
          const next = new URLSearchParams(previous);
          if (value === undefined || value === '') {
            next.delete(key);
          } else {
            next.set(key, String(value));
          }
          // Other filters give other pages: start from the first.
          next.delete('offset');
          return next;
        },
        // Typing in the search box must not add one history entry per key.
        { replace: key === 'search' },
      );
    },
    [setParams],
  );

  const setPage = useCallback(
    (page: { offset: number; pageSize: number }) => {
      setParams(
        previous => {
          const next = new URLSearchParams(previous);
          if (page.offset > 0) {
            next.set('offset', String(page.offset));
          } else {
            next.delete('offset');
          }
          next.set('pageSize', String(page.pageSize));
          return next;
        },
        { replace: true },
      );
    },
    [setParams],
  );

  const clearFilters = useCallback(() => {
    setParams(previous => {
      const next = new URLSearchParams(previous);
      for (const k of [...FILTER_KEYS, 'offset']) {
        next.delete(k);
      }
      return next;
    });
  }, [setParams]);

  return {
    filters,
    active,
    offset,
    pageSize,
    setFilter,
    setPage,
    clearFilters,
  };
}
