import { Table, useTable, CellText, type ColumnConfig } from '@backstage/ui';
import { RegisteredModel } from '@mlplatform/plugin-ml-platform-common';

const formatAliases = (aliases: Record<string, string>) =>
  Object.entries(aliases)
    .map(([alias, version]) => `${alias} → v${version}`)
    .join(', ');

const columns: ColumnConfig<RegisteredModel & { id: string }>[] = [
  {
    id: 'name',
    label: 'Model',
    isRowHeader: true,
    cell: m => <CellText title={m.name} description={m.description} />,
  },
  {
    id: 'registry',
    label: 'Registry',
    cell: m => <CellText title={m.registryId} />,
  },
  {
    id: 'latestVersion',
    label: 'Latest version',
    cell: m => (
      <CellText title={m.latestVersion ? `v${m.latestVersion}` : '—'} />
    ),
  },
  {
    id: 'aliases',
    label: 'Aliases',
    cell: m => <CellText title={formatAliases(m.aliases) || '—'} />,
  },
];

/** Registered models, one row each. */
export const ModelsTable = ({ models }: { models: RegisteredModel[] }) => {
  const data = models.map(m => ({ ...m, id: `${m.registryId}/${m.name}` }));
  const { tableProps } = useTable({
    mode: 'complete',
    data,
    paginationOptions: { pageSize: 25 },
  });
  return <Table columnConfig={columns} {...tableProps} />;
};
