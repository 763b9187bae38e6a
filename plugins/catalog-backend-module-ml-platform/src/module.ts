import { createBackendModule } from '@backstage/backend-plugin-api';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import { RegisteredModelAnnotationProcessor } from './processor/RegisteredModelAnnotationProcessor';

/**
 * Catalog module of the ML Platform plugins.
 * @public
 */
export const catalogModuleMlPlatform = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'ml-platform',
  register({ registerInit }) {
    registerInit({
      deps: { catalog: catalogProcessingExtensionPoint },
      async init({ catalog }) {
        catalog.addProcessor(new RegisteredModelAnnotationProcessor());
      },
    });
  },
});
