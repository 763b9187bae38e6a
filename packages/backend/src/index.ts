import { createBackend } from '@backstage/backend-defaults';
import { permissionModuleMlPortalPolicy } from './permissions/module';

// The portal's backend: the standard plugins a portal needs and the ML
// Platform plugin family. backend.test.ts boots this file as it is.
const backend = createBackend();

backend.add(import('@backstage/plugin-app-backend'));
backend.add(import('@backstage/plugin-proxy-backend'));

backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));

backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(
  import('@backstage/plugin-catalog-backend-module-scaffolder-entity-model'),
);
backend.add(import('@backstage/plugin-catalog-backend-module-logs'));
backend.add(import('@mlplatform/plugin-catalog-backend-module-ml-platform'));

backend.add(import('@backstage/plugin-scaffolder-backend'));
backend.add(import('@mlplatform/plugin-scaffolder-backend-module-ml-platform'));

backend.add(import('@backstage/plugin-permission-backend'));
backend.add(permissionModuleMlPortalPolicy);

backend.add(import('@backstage/plugin-kubernetes-backend'));
backend.add(import('@backstage/plugin-events-backend'));
backend.add(import('@backstage/plugin-signals-backend'));

backend.add(import('@mlplatform/plugin-ml-platform-backend'));

backend.start();
