import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { MlPortalPermissionPolicy } from './MlPortalPermissionPolicy';

export const permissionModuleMlPortalPolicy = createBackendModule({
  pluginId: 'permission',
  moduleId: 'ml-portal-policy',
  register({ registerInit }) {
    registerInit({
      deps: {
        policy: policyExtensionPoint,
        userInfo: coreServices.userInfo,
      },
      async init({ policy, userInfo }) {
        policy.setPolicy(new MlPortalPermissionPolicy(userInfo));
      },
    });
  },
});
