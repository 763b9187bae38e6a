export { MlPlatformClient } from './MlPlatformClient';
export type { MlPlatformApi, MlPlatformRequestOptions } from './MlPlatformApi';
export { RolloutConflictError } from './RolloutConflictError';
export type { RolloutHistoryQuery } from './RolloutHistoryQuery';
