import { createBackendModule } from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { createDeploymentLabelsAction } from './actions/deploymentLabels';

/**
 * Scaffolder module of the ML Platform plugins: its custom actions.
 * @public
 */
export const scaffolderModuleMlPlatform = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'ml-platform',
  register({ registerInit }) {
    registerInit({
      deps: { scaffolderActions: scaffolderActionsExtensionPoint },
      async init({ scaffolderActions }) {
        scaffolderActions.addActions(createDeploymentLabelsAction());
      },
    });
  },
});
