export { firstServingKey, firstServingOf } from './createLeadTimeStore';
export { startLeadTimeRecording } from './startLeadTimeRecording';
export type {
  FirstServing,
  LeadTimeRecording,
  LeadTimeStore,
  ServingObservation,
  ServingVersionRef,
} from './types';
