import type { V1ObjectMeta } from '@kubernetes/client-node';

/** The parts of a KServe InferenceService this kind reads. */
export interface InferenceService {
  apiVersion?: string;
  kind?: string;
  metadata?: V1ObjectMeta;
  spec?: {
    predictor?: {
      canaryTrafficPercent?: number;
      model?: { storageUri?: string };
    };
  };
  status?: {
    conditions?: Array<{ type?: string; status?: string; message?: string }>;
    components?: {
      predictor?: {
        latestCreatedRevision?: string;
        latestReadyRevision?: string;
        /** The revision that served all traffic before the current rollout. */
        previousRolledoutRevision?: string;
        traffic?: Array<{
          revisionName?: string;
          percent?: number;
          latestRevision?: boolean;
          tag?: string;
        }>;
      };
    };
  };
}
