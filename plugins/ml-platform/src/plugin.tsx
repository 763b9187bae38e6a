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
import {
  SearchFilterResultTypeBlueprint,
  SearchResultListItemBlueprint,
} from '@backstage/plugin-search-react/alpha';
import { ML_MODEL_SEARCH_TYPE } from '@mlplatform/plugin-ml-platform-common';
import { MlPlatformClient, mlPlatformApiRef } from './api';
import { isMlModelEntity, isMlToolEntity } from './filters';
import { ModelIcon } from './ModelIcon';
import { ToolsIcon } from './ToolsIcon';
import { MODEL_TAB_PATH, rootRouteRef, toolsRouteRef } from './routes';

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

// Beside the Models page rather than under it: a nav lights every item
// whose path starts the current one, so under /ml-platform both would be.
export const toolsPage = PageBlueprint.make({
  name: 'tools',
  params: {
    path: '/ml-tools',
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
    path: `/${MODEL_TAB_PATH}`,
    title: 'Model',
    filter: isMlModelEntity,
    loader: () =>
      import('./components/ModelEntityContent').then(m => (
        <m.ModelEntityContent />
      )),
  },
});

// The search page's entries for what the search module indexes; in an app
// without the search plugin they have nothing to attach to.
export const modelSearchResultListItem = SearchResultListItemBlueprint.make({
  name: 'model',
  params: {
    icon: <ModelIcon />,
    predicate: result => result.type === ML_MODEL_SEARCH_TYPE,
    component: () =>
      import('./components/ModelSearchResult').then(
        m => m.ModelSearchResultListItem,
      ),
  },
});

export const modelSearchResultType = SearchFilterResultTypeBlueprint.make({
  name: 'model',
  params: { value: ML_MODEL_SEARCH_TYPE, name: 'Models', icon: <ModelIcon /> },
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
    modelSearchResultListItem,
    modelSearchResultType,
  ],
  routes: { root: rootRouteRef, tools: toolsRouteRef },
});
