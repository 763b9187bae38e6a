import path from 'node:path';
import type { Config } from '@backstage/config';

/**
 * Location type of the `ml-model` Resources of the catalog module: written
 * by the catalog module itself, owned by
 * `catalog.providers.mlPlatform.defaultOwner`.
 * @public
 */
export const ML_MODEL_PROVIDER_LOCATION_TYPE = 'ml-platform';

/**
 * Whether an entity's origin location (`<type>:<target>`) is trusted to
 * claim a model.
 * @public
 */
export type TrustedLocations = (originLocation: string) => boolean;

/**
 * `file` targets are resolved against the backend's working directory, as
 * the catalog resolves the `file` locations of its config.
 */
function normalize(pattern: string): string {
  const [type, ...rest] = pattern.split(':');
  const target = rest.join(':');
  return type === 'file' && target ? `file:${path.resolve(target)}` : pattern;
}

/**
 * Which catalog locations may claim a model for rollouts: the patterns of
 * `mlPlatform.ownership.trustedLocations` (`<type>:<target>`, a trailing `*`
 * matching any rest), by default the platform's own `catalog.locations`.
 * The catalog module's `ml-model` Resources are always trusted. A user can
 * register a location of their choosing, but never change the origin the
 * catalog records for the entities it brings in. The backend's rollout
 * permission check and the catalog module's entity provider both decide by
 * this.
 * @public
 */
export function readTrustedLocations(config: Config): TrustedLocations {
  const configured = config.getOptionalStringArray(
    'mlPlatform.ownership.trustedLocations',
  );
  const patterns = (
    configured ??
    (config.getOptionalConfigArray('catalog.locations') ?? []).map(
      l => `${l.getString('type')}:${l.getString('target')}`,
    )
  ).map(normalize);
  const exact = new Set(patterns.filter(p => !p.endsWith('*')));
  const prefixes = patterns
    .filter(p => p.endsWith('*'))
    .map(p => p.slice(0, -1));
  return origin =>
    origin.startsWith(`${ML_MODEL_PROVIDER_LOCATION_TYPE}:`) ||
    exact.has(origin) ||
    prefixes.some(prefix => origin.startsWith(prefix));
}
