export { mlPlatformApiRef } from './MlPlatformApi';
export type { MlPlatformApi } from './MlPlatformApi';
export { MlPlatformClient } from './MlPlatformClient';
export { RolloutConflictError } from './RolloutConflictError';
export type { RolloutHistoryQuery } from './RolloutHistoryQuery';
