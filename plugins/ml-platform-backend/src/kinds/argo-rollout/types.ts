import type { V1ObjectMeta } from '@kubernetes/client-node';

/** The parts of an Argo Rollout this kind reads. */
export interface Rollout {
  apiVersion?: string;
  kind?: string;
  metadata?: V1ObjectMeta;
  spec?: {
    paused?: boolean;
    template?: { metadata?: { labels?: Record<string, string> } };
    strategy?: {
      canary?: {
        stableService?: string;
        canaryService?: string;
        steps?: Array<{ setWeight?: number; pause?: { duration?: string } }>;
        trafficRouting?: {
          plugins?: Record<
            string,
            | {
                httpRoute?: string;
                httpRoutes?: Array<{ name: string }>;
                namespace?: string;
              }
            | undefined
          >;
        };
      };
    };
  };
  status?: {
    phase?: string;
    message?: string;
    currentStepIndex?: number;
    currentPodHash?: string;
    stableRS?: string;
    controllerPause?: boolean;
    pauseConditions?: Array<{ reason?: string }> | null;
    canary?: {
      weights?: {
        canary?: { weight?: number; podTemplateHash?: string };
        stable?: { weight?: number; podTemplateHash?: string };
      };
    };
  };
}
