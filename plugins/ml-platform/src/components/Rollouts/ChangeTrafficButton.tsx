import { useState } from 'react';
import Button from '@material-ui/core/Button';
import Tooltip from '@material-ui/core/Tooltip';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  mlPlatformRolloutPermission,
  ModelDeployment,
  ModelSummary,
  ModelVersion,
} from '@mlplatform/plugin-ml-platform-common';
import { RolloutDialog } from './RolloutDialog';

const entityName = (entity: Entity) =>
  entity.metadata.title ?? entity.metadata.name;

/**
 * Opens the rollout dialog of one deployment. The backend checks the same
 * permission on every request; asking first only spares a non-owner a
 * dialog that can never apply, and tells them why.
 */
export const ChangeTrafficButton = ({
  entity,
  model,
  versions,
  deployment,
  onChanged,
}: {
  entity: Entity;
  model: ModelSummary;
  versions: ModelVersion[];
  deployment: ModelDeployment;
  onChanged: () => void;
}) => {
  const [open, setOpen] = useState(false);
  const { loading, allowed } = usePermission({
    permission: mlPlatformRolloutPermission,
    resourceRef: stringifyEntityRef(entity),
  });
  const { router } = deployment;
  let reason: string | undefined;
  if (!router) {
    reason =
      'No traffic router in this namespace: each version takes the traffic of its own Service';
  } else if (!loading && !allowed) {
    reason = entity.spec?.owner
      ? `Only the owners of ${entityName(entity)} can change its traffic`
      : `You are not allowed to change the traffic of ${entityName(entity)}`;
  }
  const button = (
    <Button
      size="small"
      variant="outlined"
      color="primary"
      disabled={loading || !!reason}
      onClick={() => setOpen(true)}
    >
      Change traffic
    </Button>
  );
  return (
    <>
      {reason ? (
        <Tooltip title={reason}>
          {/* A disabled button gets no pointer events, so the tooltip hangs on a wrapper. */}
          <span data-testid="change-traffic-reason">{button}</span>
        </Tooltip>
      ) : (
        button
      )}
      {router && (
        <RolloutDialog
          model={model}
          versions={versions}
          deployment={deployment}
          router={router}
          open={open}
          onClose={() => setOpen(false)}
          onChanged={onChanged}
        />
      )}
    </>
  );
};
