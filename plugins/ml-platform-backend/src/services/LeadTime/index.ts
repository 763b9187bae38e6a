export {
  createLeadTimeStore,
  firstServingKey,
  firstServingOf,
} from './createLeadTimeStore';
export {
  servingObservations,
  startLeadTimeRecording,
} from './startLeadTimeRecording';
export type {
  FirstServing,
  LeadTimeRecording,
  LeadTimeStore,
  ServingObservation,
  ServingVersionRef,
} from './types';
