export { mlPlatformApiRef } from './MlPlatformApi';
export {
  MlPlatformClient,
  RolloutConflictError,
  type MlPlatformApi,
  type MlPlatformRequestOptions,
  type RolloutHistoryQuery,
} from '@mlplatform/plugin-ml-platform-common';
