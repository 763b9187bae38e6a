import { RESOURCE_TYPE_CATALOG_ENTITY } from '@backstage/plugin-catalog-common/alpha';
import { createPermission } from '@backstage/plugin-permission-common';

/**
 * Read the model catalog: models, versions, deployments, lineage.
 * @public
 */
export const mlPlatformModelReadPermission = createPermission({
  name: 'ml-platform.model.read',
  attributes: { action: 'read' },
});

/**
 * Change the traffic of a model's deployment (canary, split, promote, rollback).
 * A resource permission on the model's catalog entity, so policies can decide
 * by ownership.
 * @public
 */
export const mlPlatformRolloutPermission = createPermission({
  name: 'ml-platform.rollout.execute',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Read the audit trail of rollouts.
 * @public
 */
export const mlPlatformAuditReadPermission = createPermission({
  name: 'ml-platform.audit.read',
  attributes: { action: 'read' },
});

/**
 * Every permission of the ML Platform plugins.
 * @public
 */
export const mlPlatformPermissions = [
  mlPlatformModelReadPermission,
  mlPlatformRolloutPermission,
  mlPlatformAuditReadPermission,
];
