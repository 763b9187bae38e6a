/**
 * Extension points of the ML Platform backend: model registries and traffic kinds;
 * the one Kubernetes module (cluster config, client, watches) and the reading of
 * trusted catalog locations.
 *
 * @packageDocumentation
 */

export * from './extensions';
export * from './types';
export * from './kubernetes';
export * from './traffic';
export * from './ownership/readTrustedLocations';
