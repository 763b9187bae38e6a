import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { createDeploymentLabelsAction } from './actions/deploymentLabels';
import { createKubernetesApplyAction } from './actions/kubernetesApply';
import { createModelVersionCheckAction } from './actions/modelVersionCheck';
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
        logger: coreServices.logger,
        catalog: catalogServiceRef,
      },
      async init({
        scaffolderActions,
        discovery,
        auth,
        config,
        logger,
        catalog,
      }) {
        scaffolderActions.addActions(
          createDeploymentLabelsAction(),
          createRolloutApplyAction({ discovery, auth }),
          createRolloutRollbackAction({ discovery, auth }),
          createModelVersionCheckAction({ discovery, auth }),
          createKubernetesApplyAction({ config, logger, discovery, auth }),
          createPublishTargetAction({ config }),
          createPublishLocalAction({ config, catalog }),
        );
      },
    });
  },
});
