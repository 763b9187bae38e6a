import { useEffect, useState } from 'react';
import { Flex, SearchField, Select } from '@backstage/ui';
import { ClusterStatus } from '@mlplatform/plugin-ml-platform-common';
import { ModelFilterKey, ModelFilters } from './useModelFilters';

const ANY = '__any__';
const SEARCH_DEBOUNCE_MS = 300;

const choices = (anyLabel: string, values: string[], current?: string) => [
  { id: ANY, label: anyLabel },
  ...[...new Set(current ? [...values, current] : values)].map(v => ({
    id: v,
    label: v,
  })),
];

const safetyOptions = [
  { id: ANY, label: 'Any safety' },
  { id: 'safe', label: 'safe' },
  { id: 'unsafe', label: 'unsafe' },
  { id: 'unknown', label: 'unknown' },
];

const deployedOptions = [
  { id: ANY, label: 'Deployed or not' },
  { id: 'true', label: 'Serving traffic' },
  { id: 'false', label: 'Not serving' },
];

/** Search and filter controls of the Models page. */
export const ModelFilterBar = ({
  filters,
  owners,
  aliases,
  clusters,
  onChange,
}: {
  filters: ModelFilters;
  owners: string[];
  aliases: string[];
  clusters: ClusterStatus[];
  onChange: <K extends ModelFilterKey>(key: K, value: ModelFilters[K]) => void;
}) => {
  const [search, setSearch] = useState(filters.search ?? '');

  // Follow the URL when it changes from outside, e.g. "clear filters".
  useEffect(() => setSearch(filters.search ?? ''), [filters.search]);

  useEffect(() => {
    if (search.trim() === (filters.search ?? '')) {
      return undefined;
    }
    const timer = setTimeout(
      () => onChange('search', search.trim() || undefined),
      SEARCH_DEBOUNCE_MS,
    );
    return () => clearTimeout(timer);
  }, [search, filters.search, onChange]);

  const select = (key: 'owner' | 'alias' | 'cluster') => (id: unknown) =>
    onChange(key, id === ANY || id === null ? undefined : String(id));

  return (
    <Flex gap="3" align="end" style={{ flexWrap: 'wrap' }}>
      <SearchField
        label="Search models"
        placeholder="Name or description"
        value={search}
        onChange={setSearch}
      />
      <Select
        label="Owner"
        options={choices('Any owner', owners, filters.owner)}
        value={filters.owner ?? ANY}
        onChange={select('owner')}
      />
      <Select
        label="Alias"
        options={choices('Any alias', aliases, filters.alias)}
        value={filters.alias ?? ANY}
        onChange={select('alias')}
      />
      <Select
        label="Cluster"
        options={choices(
          'Any cluster',
          clusters.map(c => c.name),
          filters.cluster,
        )}
        value={filters.cluster ?? ANY}
        onChange={select('cluster')}
      />
      <Select
        label="Safety"
        options={safetyOptions}
        value={filters.safety ?? ANY}
        onChange={id =>
          onChange(
            'safety',
            id === ANY || id === null
              ? undefined
              : (id as ModelFilters['safety']),
          )
        }
      />
      <Select
        label="Deployed"
        options={deployedOptions}
        value={filters.deployed === undefined ? ANY : String(filters.deployed)}
        onChange={id =>
          onChange(
            'deployed',
            id === 'true' || id === 'false' ? id === 'true' : undefined,
          )
        }
      />
    </Flex>
  );
};
