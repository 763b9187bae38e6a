export { classifyMlModel } from './classifyMlModel';
export {
  createSafetyVerdictStore,
  verdictKeyString,
} from './createSafetyVerdictStore';
export type { SafetyVerdictStore, VerdictKey } from './types';
