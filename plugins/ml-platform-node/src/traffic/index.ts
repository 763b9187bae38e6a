export type * from './TrafficKind';
export { watchedObjectsOf, watchedResourceKey } from './watchedObjects';
export * from './modelWorkloads';
export { gitOpsOwner } from './gitOpsOwner';
export { splitPercentages } from './splitPercentages';
export { guardedJsonPatch } from './guardedJsonPatch';
export { guardOfReading } from './guardOfReading';
export {
  completeWeights,
  serving,
  weightsOfChange,
  wholePercent,
} from './versionWeights';
