export { mlPlatformApiRef } from './MlPlatformApi';
export type { MlPlatformApi } from './MlPlatformApi';
export { MlPlatformClient } from './MlPlatformClient';
export type { ModelListQuery } from './ModelListQuery';
