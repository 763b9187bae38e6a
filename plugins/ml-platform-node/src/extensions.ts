import { createExtensionPoint } from '@backstage/backend-plugin-api';
import { ModelRegistry, TrafficRouter } from './types';

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
 * Adds traffic routers to the ML Platform backend.
 * @public
 */
export interface MlPlatformTrafficRoutersExtensionPoint {
  addTrafficRouter(...routers: TrafficRouter[]): void;
}

/**
 * Extension point for traffic routers; a router id may be added only once.
 * @public
 */
export const mlPlatformTrafficRoutersExtensionPoint =
  createExtensionPoint<MlPlatformTrafficRoutersExtensionPoint>({
    id: 'ml-platform.traffic-routers',
  });
