import { Cell, CellText, ColumnConfig, Flex, Table, Text } from '@backstage/ui';
import { ModelVersion } from '@mlplatform/plugin-ml-platform-common';
import { SafetyBadge } from '../shared';
import { formatDay } from '../ModelEntityContent/formatDay';
import {
  ServingShare,
  describeShares,
} from '../ModelEntityContent/servingShares';
import { LineageLinks } from './LineageLinks';
import { RunDetails } from './RunDetails';

type Row = ModelVersion & { id: string; shares?: ServingShare[] };

const VersionSafety = ({ version }: { version: ModelVersion }) =>
  version.safety ? (
    <Flex direction="column" gap="0.5" align="start">
      <SafetyBadge
        safety={version.safety.safety}
        reason={version.safety.reason}
      />
      <Text variant="body-x-small" color="secondary">
        {version.safety.reason}
      </Text>
    </Flex>
  ) : (
    <Flex direction="column" gap="0.5" align="start">
      <SafetyBadge
        safety="unknown"
        reason={version.safetyError ?? 'No verdict for this version.'}
      />
      {version.safetyError && (
        <Text variant="body-x-small" color="warning">
          ⚠ Could not check how this version loads: {version.safetyError}
        </Text>
      )}
    </Flex>
  );

const columns: ColumnConfig<Row>[] = [
  {
    id: 'version',
    label: 'Version',
    isRowHeader: true,
    cell: v => (
      <CellText
        title={`v${v.version}`}
        description={v.aliases.length ? v.aliases.join(', ') : undefined}
      />
    ),
  },
  {
    id: 'status',
    label: 'Status',
    cell: v => (
      <CellText
        title={v.status}
        description={v.run?.userId ? `by ${v.run.userId}` : undefined}
      />
    ),
  },
  {
    id: 'registered',
    label: 'Registered',
    cell: v => <CellText title={formatDay(v.createdAt)} />,
  },
  {
    id: 'traffic',
    label: 'Traffic',
    cell: v => (
      <Cell>
        <Flex direction="column" gap="0.5">
          {v.shares ? (
            v.shares.map(s => (
              <Text key={`${s.cluster}/${s.namespace}`} variant="body-small">
                <b>{s.percent}%</b> in {s.cluster}/{s.namespace}
              </Text>
            ))
          ) : (
            <Text variant="body-small" color="secondary">
              {describeShares(undefined)}
            </Text>
          )}
        </Flex>
      </Cell>
    ),
  },
  {
    id: 'safety',
    label: 'Serialization',
    cell: v => (
      <Cell>
        <VersionSafety version={v} />
      </Cell>
    ),
  },
  {
    id: 'run',
    label: 'Metrics',
    cell: v => (
      <Cell>
        <RunDetails run={v.run} />
      </Cell>
    ),
  },
  {
    id: 'lineage',
    label: 'Lineage',
    cell: v => (
      <Cell>
        <LineageLinks version={v} />
      </Cell>
    ),
  },
];

/**
 * Every version of the model, newest first: the readable and accessible
 * counterpart of the versions timeline, with the lineage links of each.
 */
export const VersionsTable = ({
  versions,
  shares,
}: {
  versions: ModelVersion[];
  shares: Map<string, ServingShare[]>;
}) => (
  <Table
    columnConfig={columns}
    data={versions.map(v => ({
      ...v,
      id: v.version,
      shares: shares.get(v.version),
    }))}
    pagination={{ type: 'none' }}
  />
);
