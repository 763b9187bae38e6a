import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  catalogLocationsExtensionPoint,
  catalogProcessingExtensionPoint,
  catalogServiceRef,
} from '@backstage/plugin-catalog-node';
import { FileLocationGuardProcessor } from './processor/FileLocationGuardProcessor';
import { RegisteredModelAnnotationProcessor } from './processor/RegisteredModelAnnotationProcessor';
import { MlModelEntityProvider } from './provider/MlModelEntityProvider';

/**
 * Catalog module of the ML Platform plugins: checks the registered-model
 * annotation and provides an entity for each registered model that no entity
 * from a trusted location names. When the scaffolder publishes new services locally
 * (`mlPlatform.scaffolder.publish.provider: local`), lets users register
 * `file` locations too, which is how those services reach the catalog, and
 * reads them only under the publish directory.
 * @public
 */
export const catalogModuleMlPlatform = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'ml-platform',
  register({ registerInit }) {
    registerInit({
      deps: {
        processing: catalogProcessingExtensionPoint,
        locations: catalogLocationsExtensionPoint,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        scheduler: coreServices.scheduler,
        discovery: coreServices.discovery,
        auth: coreServices.auth,
        catalog: catalogServiceRef,
      },
      async init({
        processing,
        locations,
        config,
        logger,
        scheduler,
        discovery,
        auth,
        catalog,
      }) {
        if (
          config.getOptionalString('mlPlatform.scaffolder.publish.provider') ===
          'local'
        ) {
          // Only then: a file location reads the backend's own disk, so
          // only the directory new services are published to.
          locations.setAllowedLocationTypes(['url', 'file']);
          processing.addProcessor(
            FileLocationGuardProcessor.fromConfig(config),
          );
        }
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
