import { Cell, CellText, type ColumnConfig } from '@backstage/ui';
import { ModelSummary } from '@mlplatform/plugin-ml-platform-common';
import { formatDuration } from '../../lib/formatDuration';
import { SafetyBadge, TrafficSplitBar } from '../shared';

export type ModelRow = ModelSummary & {
  id: string;
  /** The model's catalog page, when the catalog has an entity for it. */
  href?: string;
};

const formatAliases = (aliases: Record<string, string>) =>
  Object.entries(aliases)
    .map(([alias, version]) => `${alias} → v${version}`)
    .join(', ');

const Deployments = ({ model }: { model: ModelRow }) => {
  if (model.deployments.length === 0) {
    return <CellText title="not deployed" color="secondary" />;
  }
  return (
    <Cell>
      <div style={{ display: 'grid', gap: 4, minWidth: 160 }}>
        {model.deployments.map(d => (
          <TrafficSplitBar
            key={`${d.cluster}/${d.namespace}`}
            label={`${d.cluster} / ${d.namespace}`}
            versions={d.versions}
          />
        ))}
      </div>
    </Cell>
  );
};

export const modelColumns: ColumnConfig<ModelRow>[] = [
  {
    id: 'name',
    label: 'Model',
    isRowHeader: true,
    cell: m => (
      <CellText title={m.name} description={m.description} href={m.href} />
    ),
  },
  {
    id: 'owner',
    label: 'Owner',
    cell: m => <CellText title={m.owner ?? '—'} />,
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
  {
    id: 'deployments',
    label: 'Deployed in (traffic)',
    cell: m => <Deployments model={m} />,
  },
  {
    id: 'safety',
    label: 'Serialization',
    cell: m => (
      <Cell>
        <SafetyBadge safety={m.safety} reason={m.safetyReason} />
      </Cell>
    ),
  },
  {
    id: 'leadTime',
    label: 'Lead time (median)',
    cell: m =>
      m.leadTime ? (
        <CellText
          title={formatDuration(m.leadTime.medianSeconds)}
          description={`over ${m.leadTime.measuredVersions} version${
            m.leadTime.measuredVersions === 1 ? '' : 's'
          }`}
        />
      ) : (
        <CellText title="—" description="no version served yet" />
      ),
  },
  {
    id: 'lastRollout',
    label: 'Last rollout',
    cell: m =>
      m.lastRollout ? (
        <CellText
          title={`${m.lastRollout.strategy}, ${formatDuration(
            Math.max(0, (Date.now() - Date.parse(m.lastRollout.at)) / 1000),
          )} ago`}
          description={`${m.lastRollout.cluster} / ${
            m.lastRollout.namespace
          } by ${m.lastRollout.actor.replace(/^user:(default\/)?/, '')}`}
        />
      ) : (
        <CellText title="—" description="none from the portal" />
      ),
  },
];
