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
import { SharedReason, sharedReasons } from './sharedReasons';
import { VerdictEvidence } from './VerdictEvidence';

type Row = ModelVersion & {
  id: string;
  shares?: ServingShare[];
  /** The note under the table that gives this version's reason. */
  reasonNote?: number;
};

const VersionSafety = ({ version }: { version: Row }) =>
  version.safety ? (
    <Flex direction="column" gap="0.5" align="start">
      <SafetyBadge
        safety={version.safety.safety}
        reason={version.safety.reason}
      />
      <Text variant="body-x-small" color="secondary">
        {version.reasonNote
          ? `Why: note ${version.reasonNote} under the table`
          : version.safety.reason}
      </Text>
      <VerdictEvidence verdict={version.safety} />
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

const ReasonNotes = ({ notes }: { notes: SharedReason[] }) => (
  <ol aria-label="Serialization verdicts of several versions">
    {notes.map(n => (
      <li key={n.note} value={n.note}>
        <Text variant="body-small">
          <b>{n.versions.map(v => `v${v}`).join(', ')}</b>: {n.reason}
        </Text>
      </li>
    ))}
  </ol>
);

/**
 * Every version of the model, newest first: the readable and accessible
 * counterpart of the versions timeline, with the lineage links of each. A
 * verdict's reason that several versions share is said once, under the
 * table, rather than on each of their rows.
 */
export const VersionsTable = ({
  versions,
  shares,
}: {
  versions: ModelVersion[];
  shares: Map<string, ServingShare[]>;
}) => {
  const notes = sharedReasons(versions);
  const noteOf = new Map(notes.map(n => [n.reason, n.note]));
  return (
    <Flex direction="column" gap="2">
      <Table
        columnConfig={columns}
        data={versions.map(v => ({
          ...v,
          id: v.version,
          shares: shares.get(v.version),
          reasonNote: v.safety && noteOf.get(v.safety.reason),
        }))}
        pagination={{ type: 'none' }}
      />
      {notes.length > 0 && <ReasonNotes notes={notes} />}
    </Flex>
  );
};
