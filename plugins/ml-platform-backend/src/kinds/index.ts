import type { TrafficKind } from '@mlplatform/plugin-ml-platform-node';
import { argoRolloutTrafficKind } from './argo-rollout';
import { httpRouteTrafficKind } from './httproute';
import { inferenceServiceTrafficKind } from './inferenceservice';

/** The traffic kinds the plugin ships, added through its own extension point. */
export const BUILT_IN_TRAFFIC_KINDS: readonly TrafficKind[] = [
  argoRolloutTrafficKind,
  inferenceServiceTrafficKind,
  httpRouteTrafficKind,
];
