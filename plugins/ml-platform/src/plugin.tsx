import {
  ApiBlueprint,
  PageBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import { MlPlatformClient, mlPlatformApiRef } from './api';
import { isMlModelEntity, isMlToolEntity } from './filters';
import { ModelIcon } from './ModelIcon';
import { ToolsIcon } from './ToolsIcon';
import { rootRouteRef, toolsRouteRef } from './routes';

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

export const toolsPage = PageBlueprint.make({
  name: 'tools',
  params: {
    path: '/ml-platform/tools',
    title: 'ML tools',
    icon: <ToolsIcon />,
    routeRef: toolsRouteRef,
    loader: () => import('./components/Tools').then(m => <m.ToolsContent />),
  },
});

export const mlToolEntityCard = EntityCardBlueprint.make({
  name: 'tool',
  params: {
    filter: isMlToolEntity,
    loader: () => import('./components/Tools').then(m => <m.EntityToolCard />),
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
  extensions: [
    mlPlatformApi,
    modelsPage,
    toolsPage,
    modelEntityContent,
    mlToolEntityCard,
  ],
  routes: { root: rootRouteRef, tools: toolsRouteRef },
});
