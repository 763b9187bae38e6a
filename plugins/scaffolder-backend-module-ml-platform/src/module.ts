import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { createDeploymentLabelsAction } from './actions/deploymentLabels';
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
      },
      async init({ scaffolderActions, discovery, auth }) {
        scaffolderActions.addActions(
          createDeploymentLabelsAction(),
          createRolloutApplyAction({ discovery, auth }),
          createRolloutRollbackAction({ discovery, auth }),
        );
      },
    });
  },
});
