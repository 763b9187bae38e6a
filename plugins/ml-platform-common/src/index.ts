/**
 * Types, labels and permissions shared by the ML Platform plugins.
 *
 * @packageDocumentation
 */

export * from './labels';
export * from './permissions';
export * from './rollouts';
export * from './tools';
export * from './types';
