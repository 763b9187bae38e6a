/**
 * Extension points of the ML Platform backend: model registries and traffic routers;
 * the one Kubernetes module (cluster config, client, watches) and the reading of
 * trusted catalog locations.
 *
 * @packageDocumentation
 */

export * from './extensions';
export * from './types';
export * from './kubernetes';
export * from './ownership/readTrustedLocations';
