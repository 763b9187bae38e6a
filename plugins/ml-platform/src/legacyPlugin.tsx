import { Content, Header, Page } from '@backstage/core-components';
import { compatWrapper } from '@backstage/core-compat-api';
import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  createRouteRef,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { MlPlatformClient, mlPlatformApiRef } from './api';

const legacyRootRouteRef = createRouteRef({ id: 'ml-platform' });
const legacyToolsRouteRef = createRouteRef({ id: 'ml-platform-tools' });

/**
 * The ML Platform plugin for the legacy frontend system.
 * @public
 */
export const mlPlatformLegacyPlugin = createPlugin({
  id: 'ml-platform',
  apis: [
    createApiFactory({
      api: mlPlatformApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new MlPlatformClient(deps),
    }),
  ],
  routes: { root: legacyRootRouteRef, tools: legacyToolsRouteRef },
});

/**
 * The Models page, for a `<Route path="/ml-platform">` in a legacy app.
 * @public
 */
export const MlPlatformModelsPage = mlPlatformLegacyPlugin.provide(
  createRoutableExtension({
    name: 'MlPlatformModelsPage',
    mountPoint: legacyRootRouteRef,
    component: () =>
      // compatWrapper gives the views the new frontend system's routing and
      // URL APIs they use for links and filters.
      import('./components/ModelsContent').then(
        m => () =>
          compatWrapper(
            <Page themeId="tool">
              <Header
                title="Models"
                subtitle="Registered models and where they run"
              />
              <Content>
                <m.ModelsContent />
              </Content>
            </Page>,
          ),
      ),
  }),
);

/**
 * The model tab of an entity page; show it for entities matched by
 * `isMlModelEntity`.
 * @public
 */
export const EntityMlModelContent = mlPlatformLegacyPlugin.provide(
  createComponentExtension({
    name: 'EntityMlModelContent',
    component: {
      // compatWrapper, as for the pages: the tab links to entity pages.
      lazy: () =>
        import('./components/ModelEntityContent').then(
          m => () => compatWrapper(<m.ModelEntityContent />),
        ),
    },
  }),
);

/**
 * The ML tools page (MLflow, ZenML and lakeFS dashboards with their health),
 * for a `<Route path="/ml-tools">` in a legacy app (beside the Models
 * page rather than under it, so that only one sidebar item lights up).
 * @public
 */
export const MlPlatformToolsPage = mlPlatformLegacyPlugin.provide(
  createRoutableExtension({
    name: 'MlPlatformToolsPage',
    mountPoint: legacyToolsRouteRef,
    component: () =>
      import('./components/Tools').then(
        m => () =>
          compatWrapper(
            <Page themeId="tool">
              <Header
                title="ML tools"
                subtitle="The platform's dashboards and whether they answer"
              />
              <Content>
                <m.ToolsContent />
              </Content>
            </Page>,
          ),
      ),
  }),
);

/**
 * The card of an ML tool entity; show it for entities matched by
 * `isMlToolEntity`.
 * @public
 */
export const EntityMlToolCard = mlPlatformLegacyPlugin.provide(
  createComponentExtension({
    name: 'EntityMlToolCard',
    component: {
      lazy: () =>
        import('./components/Tools').then(
          m => () => compatWrapper(<m.EntityToolCard />),
        ),
    },
  }),
);
