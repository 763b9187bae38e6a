import { Cell, CellText, type ColumnConfig } from '@backstage/ui';
import { ModelSummary } from '@mlplatform/plugin-ml-platform-common';
import { formatDuration } from '../../lib/formatDuration';
import { SafetyBadge, TrafficSplitBar } from '../shared';
import { CellLines } from './CellLines';

export type ModelRow = ModelSummary & {
  id: string;
  /** The model tab of its catalog page, when the catalog has an entity for it. */
  href?: string;
};

const aliasLines = (aliases: Record<string, string>) =>
  Object.entries(aliases).map(([alias, version]) => `${alias} → v${version}`);

const Deployments = ({ model }: { model: ModelRow }) => {
  if (model.deployments.length === 0) {
    return <CellText title="not deployed" color="secondary" />;
  }
  return (
    <Cell>
      <div style={{ display: 'grid', gap: 4 }}>
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

// Every column but the model's is as wide as its content needs at the
// widest, so the description gives way and nothing else is cut off; the sum
// fits a 1440 px screen with the sidebar open (e2e-tests/models.test.ts).
export const modelColumns: ColumnConfig<ModelRow>[] = [
  {
    id: 'name',
    label: 'Model',
    isRowHeader: true,
    defaultWidth: '1fr',
    minWidth: 170,
    cell: m => (
      <CellText title={m.name} description={m.description} href={m.href} />
    ),
  },
  {
    id: 'owner',
    label: 'Owner',
    width: 110,
    cell: m => <CellLines title={m.owner ?? '—'} />,
  },
  {
    id: 'versions',
    label: 'Versions',
    width: 135,
    cell: m => (
      <CellLines
        title={m.latestVersion ? `latest v${m.latestVersion}` : 'none yet'}
        lines={aliasLines(m.aliases)}
      />
    ),
  },
  {
    id: 'deployments',
    label: 'Deployed in (traffic)',
    // A 22 % share, the least that shows its "v3 22%", still fits its text.
    width: 230,
    cell: m => <Deployments model={m} />,
  },
  {
    id: 'safety',
    // The filter's word; the badge's reason says which serialization.
    label: 'Safety',
    width: 110,
    cell: m => (
      <Cell>
        <SafetyBadge safety={m.safety} reason={m.safetyReason} />
      </Cell>
    ),
  },
  {
    id: 'leadTime',
    label: 'Lead time (median)',
    // The header with its sort button, in the portal's bold font.
    width: 195,
    cell: m =>
      m.leadTime ? (
        <CellLines
          title={formatDuration(m.leadTime.medianSeconds)}
          lines={[
            `over ${m.leadTime.measuredVersions} version${
              m.leadTime.measuredVersions === 1 ? '' : 's'
            }`,
          ]}
        />
      ) : (
        <CellLines title="—" lines={['no version served yet']} />
      ),
  },
  {
    id: 'lastRollout',
    label: 'Last rollout',
    width: 190,
    cell: m =>
      m.lastRollout ? (
        <CellLines
          title={`${m.lastRollout.strategy}, ${formatDuration(
            Math.max(0, (Date.now() - Date.parse(m.lastRollout.at)) / 1000),
          )} ago`}
          lines={[
            `${m.lastRollout.cluster} / ${
              m.lastRollout.namespace
            } by ${m.lastRollout.actor.replace(/^user:(default\/)?/, '')}`,
          ]}
        />
      ) : (
        <CellLines title="—" lines={['none from the portal']} />
      ),
  },
];
