import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { mlPlatformAnyOwnerPermission } from '@mlplatform/plugin-ml-platform-common';
import { kubernetesClustersServiceRef } from '@mlplatform/plugin-ml-platform-node';
import { createDeploymentLabelsAction } from './actions/deploymentLabels';
import { createKubernetesApplyAction } from './actions/kubernetesApply';
import { createModelVersionCheckAction } from './actions/modelVersionCheck';
import { createOwnerCheckAction } from './actions/ownerCheck';
import { createPublishLocalAction } from './actions/publishLocal';
import { createPublishTargetAction } from './actions/publishTarget';
import { createRolloutApplyAction } from './actions/rolloutApply';
import { createRolloutRollbackAction } from './actions/rolloutRollback';

/**
 * Scaffolder module of the ML Platform plugins: its custom actions.
 * @public
 */
export const scaffolderModuleMlPlatform = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'ml-platform',
  register({ registerInit }) {
    registerInit({
      deps: {
        scaffolderActions: scaffolderActionsExtensionPoint,
        discovery: coreServices.discovery,
        auth: coreServices.auth,
        config: coreServices.rootConfig,
        clusters: kubernetesClustersServiceRef,
        catalog: catalogServiceRef,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
      },
      async init({
        scaffolderActions,
        discovery,
        auth,
        config,
        clusters,
        catalog,
        permissions,
        permissionsRegistry,
      }) {
        // Checked by the owner check of the templates and the apply action.
        permissionsRegistry.addPermissions([mlPlatformAnyOwnerPermission]);
        const owners = { auth, catalog, permissions };
        scaffolderActions.addActions(
          createDeploymentLabelsAction(),
          createRolloutApplyAction({ discovery, auth }),
          createRolloutRollbackAction({ discovery, auth }),
          createModelVersionCheckAction({ discovery, auth, config }),
          createOwnerCheckAction(owners),
          createKubernetesApplyAction({
            ...owners,
            config,
            clusters,
            discovery,
          }),
          createPublishTargetAction({ config }),
          createPublishLocalAction({ config, catalog }),
        );
      },
    });
  },
});
