import { Content, Header, Page } from '@backstage/core-components';
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
  routes: { root: legacyRootRouteRef },
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
      import('./components/ModelsContent').then(m => () => (
        <Page themeId="tool">
          <Header
            title="Models"
            subtitle="Registered models and where they run"
          />
          <Content>
            <m.ModelsContent />
          </Content>
        </Page>
      )),
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
      lazy: () =>
        import('./components/ModelEntityContent').then(
          m => m.ModelEntityContent,
        ),
    },
  }),
);
