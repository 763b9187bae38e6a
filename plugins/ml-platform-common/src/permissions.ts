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
 * Scaffold a service (and apply its manifests) for an owner that is not one
 * of the user's own groups. The templates check the chosen owner against the
 * user's groups in the catalog; a policy grants this to the platform team.
 * Checked by the scaffolder module, which registers it.
 * @public
 */
export const mlPlatformAnyOwnerPermission = createPermission({
  name: 'ml-platform.scaffolder.any-owner',
  attributes: { action: 'create' },
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
 * Ask the backend to read the model registries now (`POST /refresh`), rather
 * than at the next scheduled refresh or webhook. Each call costs the
 * registries a full read, so it has a permission of its own (and the route
 * a rate limit).
 * @public
 */
export const mlPlatformRegistryRefreshPermission = createPermission({
  name: 'ml-platform.registry.refresh',
  attributes: { action: 'update' },
});

/**
 * Every permission of the ML Platform plugins.
 * @public
 */
export const mlPlatformPermissions = [
  mlPlatformModelReadPermission,
  mlPlatformRolloutPermission,
  mlPlatformAuditReadPermission,
  mlPlatformRegistryRefreshPermission,
];
