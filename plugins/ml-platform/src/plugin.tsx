import {
  ApiBlueprint,
  PageBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { MlPlatformClient, mlPlatformApiRef } from './api';
import { isMlModelEntity } from './filters';
import { ModelIcon } from './ModelIcon';
import { rootRouteRef } from './routes';

export const mlPlatformApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: mlPlatformApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new MlPlatformClient(deps),
    }),
});

export const modelsPage = PageBlueprint.make({
  params: {
    path: '/ml-platform',
    title: 'Models',
    icon: <ModelIcon />,
    routeRef: rootRouteRef,
    loader: () =>
      import('./components/ModelsContent').then(m => <m.ModelsContent />),
  },
});

export const modelEntityContent = EntityContentBlueprint.make({
  name: 'model',
  params: {
    path: '/model',
    title: 'Model',
    filter: isMlModelEntity,
    loader: () =>
      import('./components/ModelEntityContent').then(m => (
        <m.ModelEntityContent />
      )),
  },
});

/**
 * The ML Platform frontend plugin for the new frontend system.
 * @public
 */
export const mlPlatformPlugin = createFrontendPlugin({
  pluginId: 'ml-platform',
  title: 'Models',
  icon: <ModelIcon />,
  info: { packageJson: () => import('../package.json') },
  extensions: [mlPlatformApi, modelsPage, modelEntityContent],
  routes: { root: rootRouteRef },
});
