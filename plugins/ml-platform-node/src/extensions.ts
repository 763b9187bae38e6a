import { createExtensionPoint } from '@backstage/backend-plugin-api';
import type { TrafficKind } from './traffic';
import { ModelRegistry } from './types';

/**
 * Adds model registries to the ML Platform backend.
 * @public
 */
export interface MlPlatformModelRegistriesExtensionPoint {
  addModelRegistry(...registries: ModelRegistry[]): void;
}

/**
 * Extension point for model registries; a registry id may be added only once.
 * @public
 */
export const mlPlatformModelRegistriesExtensionPoint =
  createExtensionPoint<MlPlatformModelRegistriesExtensionPoint>({
    id: 'ml-platform.model-registries',
  });

/**
 * Adds traffic kinds to the ML Platform backend.
 * @public
 */
export interface MlPlatformTrafficKindsExtensionPoint {
  addTrafficKind(...kinds: TrafficKind[]): void;
}

/**
 * Extension point for traffic kinds; a kind id may be added only once. The
 * backend's own kinds (Gateway API HTTPRoute, Argo Rollout, KServe
 * InferenceService) are added the same way.
 * @public
 */
export const mlPlatformTrafficKindsExtensionPoint =
  createExtensionPoint<MlPlatformTrafficKindsExtensionPoint>({
    id: 'ml-platform.traffic-kinds',
  });
