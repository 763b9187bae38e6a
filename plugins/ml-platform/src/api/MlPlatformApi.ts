import { createApiRef } from '@backstage/frontend-plugin-api';
import type { MlPlatformApi } from '@mlplatform/plugin-ml-platform-common';

/**
 * The ML Platform backend's client, `MlPlatformClient` of the common package
 * unless an app overrides it.
 * @public
 */
export const mlPlatformApiRef = createApiRef<MlPlatformApi>({
  id: 'plugin.ml-platform.api',
});
