/**
 * Types, labels and permissions shared by the ML Platform plugins.
 *
 * @packageDocumentation
 */

export * from './labels';
export * from './permissions';
export * from './tools';
export * from './types';
