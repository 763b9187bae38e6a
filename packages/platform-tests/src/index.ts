/**
 * Helpers for tests that run against the real local ML platform.
 *
 * @packageDocumentation
 */

export {
  PLATFORM_STATE_DIR,
  platformFilePath,
  readPlatformFile,
} from './platformEnv';
export {
  kubeAdminRequest,
  kubeRequest,
  kubeClientOf,
  localClusterConfig,
  localKubeClient,
} from './localCluster';
export type { LocalKube } from './localCluster';
export { postgresTestDatabaseIds, readLocalPostgres } from './localPostgres';
export type { LocalPostgres, PostgresTestDatabaseId } from './localPostgres';
export { fetchAcrossRestarts } from './fetchAcrossRestarts';
export { mlflowAdminApi } from './localMlflow';
export { startSecondPlatform } from './secondPlatform';
export type { SecondPlatform } from './secondPlatform';
export type { LocalMlflow } from './localMlflow';
export {
  REAL_NODE,
  buildServiceImage,
  countAnswersByVersion,
  gatewayRequest,
  createServingNamespace,
} from './localServing';
export type { GatewayAnswer, LocalGateway, LocalImages } from './localServing';
export { startTrafficKindBackend } from './trafficKindBackend';
export type { TrafficKindBackend } from './trafficKindBackend';
