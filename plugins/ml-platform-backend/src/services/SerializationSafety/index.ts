export type { MlModelFacts } from './readMlModel';
export {
  createSafetyVerdictStore,
  verdictKeyString,
} from './createSafetyVerdictStore';
export {
  createVersionInspector,
  listingFingerprint,
} from './createVersionInspector';
export type {
  InspectionBudget,
  VersionFiles,
  VersionInspector,
} from './createVersionInspector';
export type { SafetyVerdictStore, StoredVerdict, VerdictKey } from './types';
export { readSafetyConfig } from './readSafetyConfig';
