export { MlflowClient } from './MlflowClient';
export type { MlflowClientOptions } from './MlflowClient';
export { MlflowModelRegistry } from './MlflowModelRegistry';
export type { MlflowModelRegistryOptions } from './MlflowModelRegistry';
export { readMlflowRegistryConfigs } from './config';
export type { MlflowRegistryConfig } from './config';
