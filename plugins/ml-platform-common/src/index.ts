/**
 * Types, labels and permissions shared by the ML Platform plugins.
 *
 * @packageDocumentation
 */

export * from './client';
export * from './labels';
export * from './limits';
export * from './permissions';
export * from './requests';
export * from './rollouts';
export * from './safetyGate';
export * from './search';
export * from './servingFormat';
export * from './tools';
export * from './types';
