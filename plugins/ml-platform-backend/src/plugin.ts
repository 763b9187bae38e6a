import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { durationToMilliseconds } from '@backstage/types';
import { readDurationFromConfig } from '@backstage/config';
import {
  ModelRegistry,
  TrafficRouter,
  mlPlatformModelRegistriesExtensionPoint,
  mlPlatformTrafficRoutersExtensionPoint,
} from '@mlplatform/plugin-ml-platform-node';
import { mlPlatformPermissions } from '@mlplatform/plugin-ml-platform-common';
import { createRouter } from './router';
import { createModelCatalogService } from './services/ModelCatalog';

const DEFAULT_SOURCE_TIMEOUT_MS = 10_000;

function addUnique<T extends { id: string }>(
  map: Map<string, T>,
  what: string,
  items: T[],
) {
  for (const item of items) {
    if (map.has(item.id)) {
      throw new Error(`A ${what} with id '${item.id}' is already registered`);
    }
    map.set(item.id, item);
  }
}

/**
 * The ML Platform backend plugin: model catalog, deployments and rollouts.
 *
 * @public
 */
export const mlPlatformPlugin = createBackendPlugin({
  pluginId: 'ml-platform',
  register(env) {
    const registries = new Map<string, ModelRegistry>();
    const routers = new Map<string, TrafficRouter>();

    env.registerExtensionPoint(mlPlatformModelRegistriesExtensionPoint, {
      addModelRegistry: (...items) =>
        addUnique(registries, 'model registry', items),
    });
    env.registerExtensionPoint(mlPlatformTrafficRoutersExtensionPoint, {
      addTrafficRouter: (...items) =>
        addUnique(routers, 'traffic router', items),
    });

    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
      },
      async init({
        config,
        logger,
        httpAuth,
        httpRouter,
        permissions,
        permissionsRegistry,
      }) {
        permissionsRegistry.addPermissions(mlPlatformPermissions);

        const sourceTimeoutMs = config.has('mlPlatform.sourceTimeout')
          ? durationToMilliseconds(
              readDurationFromConfig(config, {
                key: 'mlPlatform.sourceTimeout',
              }),
            )
          : DEFAULT_SOURCE_TIMEOUT_MS;

        const modelCatalog = createModelCatalogService({
          registries: [...registries.values()],
          logger,
          sourceTimeoutMs,
        });

        httpRouter.use(
          await createRouter({ httpAuth, permissions, modelCatalog }),
        );
        httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });
      },
    });
  },
});
