import {
  ANNOTATION_LOCATION,
  ANNOTATION_ORIGIN_LOCATION,
  type Entity,
} from '@backstage/catalog-model';
import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { ML_PLATFORM_ANNOTATIONS } from '@mlplatform/plugin-ml-platform-common';
import { createModelOwnership } from '../services/ModelOwnership';

/** The location the tests' ownership trusts: a reviewed catalog repository. */
const TRUSTED_ORIGIN = 'url:https://git.example.com/platform/catalog/all.yaml';
/** Where anyone may register a location. */
export const UNTRUSTED_ORIGIN = 'url:https://git.example.com/someone/x.yaml';

/** `mlPlatform.ownership` of the tests. */
export const TRUSTED_CONFIG = {
  trustedLocations: ['url:https://git.example.com/platform/*'],
};

/** A catalog entity that names a registered model, read from `origin`. */
export function claimingEntity(options: {
  kind?: string;
  name: string;
  /** `<model>` or `<registry>/<model>`. */
  annotation: string;
  owner?: string;
  origin?: string;
}): Entity {
  const origin = options.origin ?? TRUSTED_ORIGIN;
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: options.kind ?? 'Component',
    metadata: {
      name: options.name,
      namespace: 'default',
      annotations: {
        [ML_PLATFORM_ANNOTATIONS.registeredModel]: options.annotation,
        [ANNOTATION_LOCATION]: origin,
        [ANNOTATION_ORIGIN_LOCATION]: origin,
      },
    },
    spec: {
      type: 'model-service',
      lifecycle: 'production',
      owner: options.owner ?? 'group:default/someone',
    },
  };
}

/** The plugin's ownership over this catalog, trusting {@link TRUSTED_LOCATIONS}. */
export function testOwnership(catalog: CatalogService) {
  return createModelOwnership({
    catalog,
    auth: mockServices.auth(),
    config: new ConfigReader({ mlPlatform: { ownership: TRUSTED_CONFIG } }),
  });
}
