import type { V1ObjectMeta } from '@kubernetes/client-node';

/** Where an Istio route sends requests: a host (a Service) and maybe a subset of it. */
export interface Destination {
  host: string;
  subset?: string;
  port?: { number?: number };
}

/** The parts of an Istio VirtualService this kind reads. */
export interface VirtualService {
  apiVersion?: string;
  metadata?: V1ObjectMeta;
  spec?: {
    hosts?: string[];
    http?: Array<{
      name?: string;
      match?: unknown[];
      route?: Array<{ destination?: Destination; weight?: number }>;
      mirror?: unknown;
    }>;
  };
}

/** The parts of an Istio DestinationRule this kind reads: its subsets' labels. */
export interface DestinationRule {
  metadata?: V1ObjectMeta;
  spec?: {
    host?: string;
    subsets?: Array<{ name: string; labels?: Record<string, string> }>;
  };
}

/** The part of an Argo Rollout that names the VirtualServices it rewrites. */
export interface IstioSteeringRollout {
  metadata?: V1ObjectMeta;
  spec?: {
    strategy?: {
      canary?: {
        trafficRouting?: {
          istio?: {
            virtualService?: { name: string };
            virtualServices?: Array<{ name: string }>;
          };
        };
      };
    };
  };
}
