import { WarningPanel } from '@backstage/core-components';
import { ClusterStatus } from '@mlplatform/plugin-ml-platform-common';

/** Says which clusters failed, so a model shown as not deployed is not taken at its word. */
export const ClusterWarnings = ({
  clusters,
}: {
  clusters: ClusterStatus[];
}) => {
  const failed = clusters.filter(c => !c.ok);
  if (failed.length === 0) {
    return null;
  }
  const shown = `showing ${clusters.length - failed.length} of ${
    clusters.length
  } clusters`;
  const title =
    failed.length === 1
      ? `cluster ${failed[0].name} unreachable: ${shown}`
      : `${failed.length} clusters unreachable: ${shown}`;
  return (
    <WarningPanel severity="warning" title={title}>
      {failed.map(c => (
        <div key={c.name}>
          <b>{c.name}</b>: {c.error ?? 'no answer'}. Deployments and traffic in
          this cluster are missing until it answers again
          {c.syncedAt
            ? ` (last synced ${new Date(c.syncedAt).toLocaleString()})`
            : ''}
          .
        </div>
      ))}
    </WarningPanel>
  );
};
