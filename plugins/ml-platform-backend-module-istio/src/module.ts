import { createBackendModule } from '@backstage/backend-plugin-api';
import { mlPlatformTrafficKindsExtensionPoint } from '@mlplatform/plugin-ml-platform-node';
import { virtualServiceTrafficKind } from './kind';

/**
 * Adds the Istio VirtualService traffic kind to the ML Platform backend.
 * @public
 */
export const mlPlatformModuleIstio = createBackendModule({
  pluginId: 'ml-platform',
  moduleId: 'istio',
  register(reg) {
    reg.registerInit({
      deps: { trafficKinds: mlPlatformTrafficKindsExtensionPoint },
      async init({ trafficKinds }) {
        trafficKinds.addTrafficKind(virtualServiceTrafficKind);
      },
    });
  },
});
