import type { V1ObjectMeta } from '@kubernetes/client-node';

/** The parts of a Gateway API HTTPRoute this kind reads. */
export interface HttpRoute {
  apiVersion?: string;
  kind?: string;
  metadata?: V1ObjectMeta;
  spec?: {
    rules?: Array<{
      matches?: Array<{ path?: { type?: string; value?: string } }>;
      backendRefs?: Array<{
        group?: string;
        kind?: string;
        name: string;
        namespace?: string;
        port?: number;
        weight?: number;
      }>;
    }>;
  };
}
