import { useMemo, useRef, useState } from 'react';
import { useApi } from '@backstage/frontend-plugin-api';
import { Container, Flex, Table, useTable } from '@backstage/ui';
import {
  ClusterStatus,
  ModelRegistryStatus,
} from '@mlplatform/plugin-ml-platform-common';
import { mlPlatformApiRef } from '../../api';
import { ClusterWarnings } from '../ClusterWarnings';
import { LoadError } from '../LoadError';
import { RegistryWarnings } from '../RegistryWarnings';
import { ModelFilterBar } from './ModelFilterBar';
import { ModelsEmptyState } from './ModelsEmptyState';
import { ModelRow, modelColumns } from './modelColumns';
import { useFilterOptions } from './useFilterOptions';
import { useModelEntityLinks } from './useModelEntityLinks';
import { ModelFilters, PAGE_SIZES, useModelFilters } from './useModelFilters';

interface Sources {
  registries: ModelRegistryStatus[];
  clusters: ClusterStatus[];
}

/**
 * Every registered model, filtered and paged by the backend so the page
 * stays fast with thousands of models; the filters and page live in the URL.
 */
export const ModelsContent = () => {
  const api = useApi(mlPlatformApiRef);
  const {
    filters,
    active,
    offset,
    pageSize,
    setFilter,
    setPage,
    clearFilters,
  } = useModelFilters();
  const options = useFilterOptions();
  const entityLink = useModelEntityLinks();
  const [sources, setSources] = useState<Sources>();

  // The pagination callbacks run after the table moved; they need the page it left.
  const page = useRef({ offset, pageSize: pageSize ?? PAGE_SIZES[0] });

  const { tableProps, reload } = useTable<ModelRow, ModelFilters>({
    mode: 'offset',
    filter: filters,
    paginationOptions: {
      initialOffset: offset,
      pageSize: page.current.pageSize,
      pageSizeOptions: PAGE_SIZES,
      onNextPage: () =>
        setPage({
          ...page.current,
          offset: page.current.offset + page.current.pageSize,
        }),
      onPreviousPage: () =>
        setPage({
          ...page.current,
          offset: Math.max(0, page.current.offset - page.current.pageSize),
        }),
      onPageSizeChange: size => setPage({ offset: 0, pageSize: size }),
    },
    getData: async ({ offset: from, pageSize: size, filter, signal }) => {
      const response = await api.listModels(
        { ...filter, offset: from, limit: size },
        { signal },
      );
      setSources({
        registries: response.registries,
        clusters: response.clusters,
      });
      return {
        data: response.items.map(m => ({
          ...m,
          id: `${m.registryId}/${m.name}`,
        })),
        totalCount: response.totalCount,
      };
    },
  });

  const { pagination } = tableProps;
  if (pagination.type === 'page' && !tableProps.isPending) {
    page.current = {
      offset: pagination.offset ?? 0,
      pageSize: pagination.pageSize,
    };
  }

  const data = useMemo(
    () => tableProps.data?.map(m => ({ ...m, href: entityLink(m) })),
    [tableProps.data, entityLink],
  );

  return (
    <Container>
      <Flex direction="column" gap="4">
        {sources && <RegistryWarnings registries={sources.registries} />}
        {sources && <ClusterWarnings clusters={sources.clusters} />}
        <ModelFilterBar
          filters={filters}
          owners={options.owners}
          aliases={options.aliases}
          clusters={sources?.clusters ?? []}
          onChange={setFilter}
        />
        {tableProps.error ? (
          <LoadError
            what="the models"
            error={tableProps.error}
            onRetry={reload}
          />
        ) : (
          <Table
            columnConfig={modelColumns}
            {...tableProps}
            data={data}
            emptyState={
              <ModelsEmptyState
                filtered={active}
                registries={sources?.registries ?? []}
                onClearFilters={clearFilters}
              />
            }
          />
        )}
      </Flex>
    </Container>
  );
};
