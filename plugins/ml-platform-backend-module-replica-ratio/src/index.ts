/**
 * A traffic kind for the ML Platform backend: version Deployments behind one
 * Service, split by their ready replicas.
 *
 * @packageDocumentation
 */

export { mlPlatformModuleReplicaRatio as default } from './module';
export { replicaRatioTrafficKind } from './kind';
