import { Cell, CellText, Table, type ColumnConfig } from '@backstage/ui';
import { MlTool } from '@mlplatform/plugin-ml-platform-common';
import { ToolHealth } from './ToolHealth';

type ToolRow = MlTool & { id: string };

const toolTypeNames: Record<string, string> = {
  mlflow: 'MLflow',
  zenml: 'ZenML',
  lakefs: 'lakeFS',
};

export const toolTypeName = (type: string) => toolTypeNames[type] ?? type;

const columns: ColumnConfig<ToolRow>[] = [
  {
    id: 'name',
    label: 'Tool',
    isRowHeader: true,
    cell: t => (
      <CellText
        title={t.name}
        description={toolTypeName(t.type)}
        href={t.url}
      />
    ),
  },
  {
    id: 'where',
    label: 'Where',
    cell: t => (
      <CellText
        title={t.cluster ? `${t.cluster} / ${t.namespace}` : 'configured'}
      />
    ),
  },
  {
    id: 'health',
    label: 'Health',
    cell: t => (
      <Cell>
        <ToolHealth tool={t} />
      </Cell>
    ),
  },
  {
    id: 'url',
    label: 'Dashboard',
    cell: t => (
      <CellText
        title={t.url ?? 'no URL'}
        description={t.url ? undefined : t.error}
        href={t.url}
      />
    ),
  },
];

/** ML tools with their health, each linking to its dashboard. */
export const ToolsTable = ({ tools }: { tools: MlTool[] }) => (
  <Table
    columnConfig={columns}
    data={tools.map(t => ({
      ...t,
      id: `${t.cluster ?? ''}/${t.namespace ?? ''}/${t.name}`,
    }))}
    pagination={{ type: 'none' }}
  />
);
