/**
 * Extension points of the ML Platform backend: model registries and traffic routers.
 *
 * @packageDocumentation
 */

export * from './extensions';
export * from './types';
export * from './kubernetes/readClusters';
