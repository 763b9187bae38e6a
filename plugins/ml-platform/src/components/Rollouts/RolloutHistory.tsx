import { useCallback, useEffect, useState } from 'react';
import Button from '@material-ui/core/Button';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import { Progress } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { ResponseError } from '@backstage/errors';
import { Flex, Text } from '@backstage/ui';
import { RolloutAuditRecord } from '@mlplatform/plugin-ml-platform-common';
import { mlPlatformApiRef } from '../../api';
import { errorMessage } from '../errorMessage';
import { RolloutHistoryRow } from './RolloutHistoryRow';

const PAGE_SIZE = 10;

/**
 * The model's audit trail, newest first, a page at a time. `refreshKey`
 * changes after each rollout from this page, which reloads the first page.
 */
export const RolloutHistory = ({
  model,
  registryId,
  refreshKey,
}: {
  model: string;
  registryId?: string;
  refreshKey?: number;
}) => {
  const api = useApi(mlPlatformApiRef);
  const [items, setItems] = useState<RolloutAuditRecord[]>([]);
  const [nextCursor, setNextCursor] = useState<string>();
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<Error>();

  const load = useCallback(
    async (before?: string) => {
      setLoading(true);
      setError(undefined);
      try {
        const page = await api.listRolloutHistory(model, {
          registryId,
          limit: PAGE_SIZE,
          before,
        });
        setItems(current =>
          before ? [...current, ...page.items] : page.items,
        );
        setNextCursor(page.nextCursor);
      } catch (e) {
        setError(e as Error);
      } finally {
        setLoading(false);
      }
    },
    [api, model, registryId],
  );

  useEffect(() => {
    load();
  }, [load, refreshKey]);

  if (error && items.length === 0) {
    return (
      <Flex direction="column" gap="2" align="start">
        <Text as="p" color="danger" role="alert">
          {`Could not load the rollout history: ${errorMessage(error)}`}
          {ResponseError.is(error) && error.statusCode === 403
            ? ' Reading it takes the ml-platform.audit.read permission.'
            : ''}
        </Text>
        <Button size="small" variant="outlined" onClick={() => load()}>
          Retry
        </Button>
      </Flex>
    );
  }
  if (loading && items.length === 0) {
    return <Progress />;
  }
  if (items.length === 0) {
    return (
      <Text as="p" color="secondary">
        No rollouts of {model} yet. Change the traffic of a deployment above and
        it shows here, with who did it and what changed.
      </Text>
    );
  }
  return (
    <>
      <Table size="small" aria-label="Rollout history">
        <TableHead>
          <TableRow>
            <TableCell>When</TableCell>
            <TableCell>Who</TableCell>
            <TableCell>Where</TableCell>
            <TableCell>Strategy</TableCell>
            <TableCell>Before → after</TableCell>
            <TableCell>Result</TableCell>
            <TableCell>Details</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {items.map(record => (
            <RolloutHistoryRow key={record.id} record={record} />
          ))}
        </TableBody>
      </Table>
      {error && (
        <Text variant="body-small" color="danger" role="alert">
          {errorMessage(error)}
        </Text>
      )}
      {nextCursor && (
        <Button
          size="small"
          disabled={loading}
          onClick={() => load(nextCursor)}
        >
          Older rollouts
        </Button>
      )}
    </>
  );
};
