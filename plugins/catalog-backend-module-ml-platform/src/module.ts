import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  catalogProcessingExtensionPoint,
  catalogServiceRef,
} from '@backstage/plugin-catalog-node';
import { RegisteredModelAnnotationProcessor } from './processor/RegisteredModelAnnotationProcessor';
import { MlModelEntityProvider } from './provider/MlModelEntityProvider';

/**
 * Catalog module of the ML Platform plugins: checks the registered-model
 * annotation and provides an entity for each registered model that no entity
 * names.
 * @public
 */
export const catalogModuleMlPlatform = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'ml-platform',
  register({ registerInit }) {
    registerInit({
      deps: {
        processing: catalogProcessingExtensionPoint,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        scheduler: coreServices.scheduler,
        discovery: coreServices.discovery,
        auth: coreServices.auth,
        catalog: catalogServiceRef,
      },
      async init({
        processing,
        config,
        logger,
        scheduler,
        discovery,
        auth,
        catalog,
      }) {
        processing.addProcessor(new RegisteredModelAnnotationProcessor());
        processing.addEntityProvider(
          MlModelEntityProvider.fromConfig(config, {
            logger,
            scheduler,
            discovery,
            auth,
            catalog,
          }),
        );
      },
    });
  },
});
