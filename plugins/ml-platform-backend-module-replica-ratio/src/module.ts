import { createBackendModule } from '@backstage/backend-plugin-api';
import { mlPlatformTrafficKindsExtensionPoint } from '@mlplatform/plugin-ml-platform-node';
import { replicaRatioTrafficKind } from './kind';

/**
 * Adds the replica-ratio traffic kind to the ML Platform backend.
 * @public
 */
export const mlPlatformModuleReplicaRatio = createBackendModule({
  pluginId: 'ml-platform',
  moduleId: 'replica-ratio',
  register(reg) {
    reg.registerInit({
      deps: { trafficKinds: mlPlatformTrafficKindsExtensionPoint },
      async init({ trafficKinds }) {
        trafficKinds.addTrafficKind(replicaRatioTrafficKind);
      },
    });
  },
});
