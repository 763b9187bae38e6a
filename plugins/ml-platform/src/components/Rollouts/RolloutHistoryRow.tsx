import TableCell from '@material-ui/core/TableCell';
import TableRow from '@material-ui/core/TableRow';
import { Flex, Text } from '@backstage/ui';
import {
  RolloutAuditRecord,
  RolloutOutcome,
} from '@mlplatform/plugin-ml-platform-common';
import { splitText, TrafficSplitBar } from '../shared';

const outcomeColor: Record<RolloutOutcome, 'success' | 'danger' | 'warning'> = {
  succeeded: 'success',
  failed: 'danger',
  conflict: 'warning',
  refused: 'danger',
};

const describe = (split: RolloutAuditRecord['before']) =>
  split ? splitText(split.versions) : 'unknown';

/** One attempted rollout: when, who, where, what it did and how it ended. */
export const RolloutHistoryRow = ({
  record,
}: {
  record: RolloutAuditRecord;
}) => (
  <TableRow>
    <TableCell>
      <time dateTime={record.at}>{new Date(record.at).toLocaleString()}</time>
    </TableCell>
    <TableCell>{record.actor.replace(/^user:(default\/)?/, '')}</TableCell>
    <TableCell>{`${record.cluster}/${record.namespace}`}</TableCell>
    <TableCell>{record.strategy}</TableCell>
    <TableCell>
      <Flex direction="column" gap="1">
        <Text variant="body-small">{`${describe(record.before)} → ${describe(
          record.after,
        )}`}</Text>
        {record.before && record.after && (
          <Flex gap="1" align="center" aria-hidden>
            <TrafficSplitBar versions={record.before.versions} />
            <TrafficSplitBar versions={record.after.versions} />
          </Flex>
        )}
      </Flex>
    </TableCell>
    <TableCell>
      <Text
        variant="body-small"
        weight="bold"
        color={outcomeColor[record.result]}
      >
        {record.result}
      </Text>
    </TableCell>
    <TableCell>
      <Flex direction="column" gap="1">
        {record.error && (
          <Text variant="body-small" color="danger">
            {record.error}
          </Text>
        )}
        {record.aliasChange && (
          <Text variant="body-small">
            {`Alias ${record.aliasChange.alias}: ${
              record.aliasChange.from ? `v${record.aliasChange.from}` : 'unset'
            } → v${record.aliasChange.to}`}
          </Text>
        )}
      </Flex>
    </TableCell>
  </TableRow>
);
