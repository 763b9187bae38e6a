import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { searchIndexRegistryExtensionPoint } from '@backstage/plugin-search-backend-node/alpha';
import { MlModelCollatorFactory } from './collator/MlModelCollatorFactory';
import { readCollatorSchedule } from './readCollatorSchedule';

/**
 * Search module of the ML Platform plugins: indexes every registered model
 * and version the ML Platform backend lists, on the schedule of
 * `search.collators.mlPlatform.schedule`.
 * @public
 */
export const searchModuleMlPlatformCollator = createBackendModule({
  pluginId: 'search',
  moduleId: 'ml-platform-collator',
  register(env) {
    env.registerInit({
      deps: {
        auth: coreServices.auth,
        config: coreServices.rootConfig,
        discovery: coreServices.discovery,
        logger: coreServices.logger,
        scheduler: coreServices.scheduler,
        indexRegistry: searchIndexRegistryExtensionPoint,
        catalog: catalogServiceRef,
      },
      async init({
        auth,
        config,
        discovery,
        logger,
        scheduler,
        indexRegistry,
        catalog,
      }) {
        indexRegistry.addCollator({
          schedule: scheduler.createScheduledTaskRunner(
            readCollatorSchedule(config),
          ),
          factory: MlModelCollatorFactory.fromConfig(config, {
            auth,
            discovery,
            catalog,
            logger,
          }),
        });
      },
    });
  },
});
