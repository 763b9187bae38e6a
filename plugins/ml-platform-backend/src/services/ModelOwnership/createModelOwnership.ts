import type { AuthService } from '@backstage/backend-plugin-api';
import {
  ANNOTATION_ORIGIN_LOCATION,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import type { Config } from '@backstage/config';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  ML_PLATFORM_ANNOTATIONS,
  parseRegisteredModelRef,
} from '@mlplatform/plugin-ml-platform-common';
import {
  ML_MODEL_PROVIDER_LOCATION_TYPE,
  readTrustedLocations,
  type TrustedLocations,
} from '@mlplatform/plugin-ml-platform-node';

const annotation = ML_PLATFORM_ANNOTATIONS.registeredModel;

/** An entity that names a model with the registered-model annotation. */
export interface ModelClaim {
  entityRef: string;
  /** Where the catalog read it from: `<type>:<target>`. */
  originLocation: string;
}

/** The entities that name one model, split by whether their location is trusted. */
export interface ModelClaims {
  /** Decide who may change the model's traffic: each must allow. */
  trusted: ModelClaim[];
  /** Named in refusals, never consulted. */
  untrusted: ModelClaim[];
}

/** Who owns which model, for rollouts: one answer for every way in. */
export interface ModelOwnership {
  /**
   * The catalog entities naming `<registryId>/<model>` or the bare model
   * name (which claims it in every registry), read with the plugin's own
   * credentials: what a caller may see of the catalog does not change who
   * owns a model.
   */
  claimsOf(model: string, registryId: string): Promise<ModelClaims>;
}

export function createModelOwnership(options: {
  catalog: CatalogService;
  auth: AuthService;
  config?: Config;
  /** Instead of reading `mlPlatform.ownership` from config. */
  trustedLocations?: TrustedLocations;
}): ModelOwnership {
  const { catalog, auth } = options;
  const isTrusted =
    options.trustedLocations ??
    (options.config ? readTrustedLocations(options.config) : () => false);

  return {
    async claimsOf(model, registryId) {
      const { items } = await catalog.getEntities(
        {
          filter: {
            [`metadata.annotations.${annotation}`]: [
              `${registryId}/${model}`,
              model,
            ],
          },
          fields: [
            'kind',
            'metadata.namespace',
            'metadata.name',
            'metadata.annotations',
          ],
        },
        { credentials: await auth.getOwnServiceCredentials() },
      );
      const claims: ModelClaims = { trusted: [], untrusted: [] };
      const seen = new Set<string>();
      for (const entity of items) {
        const annotations = entity.metadata.annotations ?? {};
        let ref;
        try {
          ref = parseRegisteredModelRef(annotations[annotation] ?? '');
        } catch {
          continue; // the catalog module reports such entities as invalid
        }
        if (ref.name !== model) continue;
        if (ref.registryId !== undefined && ref.registryId !== registryId) {
          continue;
        }
        const claim = {
          entityRef: stringifyEntityRef(entity),
          originLocation: annotations[ANNOTATION_ORIGIN_LOCATION] ?? '',
        };
        if (seen.has(claim.entityRef)) continue;
        seen.add(claim.entityRef);
        (isTrusted(claim.originLocation)
          ? claims.trusted
          : claims.untrusted
        ).push(claim);
      }
      // The catalog module's Resource stands in for a model nobody else
      // claims, and goes on its next run once a trusted entity does; until
      // then it must not lock the real owner out.
      const fromProvider = (c: ModelClaim) =>
        c.originLocation.startsWith(`${ML_MODEL_PROVIDER_LOCATION_TYPE}:`);
      if (claims.trusted.some(c => !fromProvider(c))) {
        claims.trusted = claims.trusted.filter(c => !fromProvider(c));
      }
      const byRef = (a: ModelClaim, b: ModelClaim) =>
        a.entityRef.localeCompare(b.entityRef);
      claims.trusted.sort(byRef);
      claims.untrusted.sort(byRef);
      return claims;
    },
  };
}
