import type { AuthService } from '@backstage/backend-plugin-api';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import {
  ANNOTATION_ORIGIN_LOCATION,
  DEFAULT_NAMESPACE,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  ML_PLATFORM_ANNOTATIONS,
  parseRegisteredModelRef,
} from '@mlplatform/plugin-ml-platform-common';
import type { TrustedLocations } from '@mlplatform/plugin-ml-platform-node';

/** Where the frontend plugin mounts the model tab under an entity's page. */
const MODEL_TAB_PATH = 'model';

/** A model's page in the portal, by `<registry id>/<model name>`. */
export type ModelPages = (registryId: string, name: string) => string;

/**
 * Each model's page: the model tab of the catalog entity that claims it
 * from a trusted location (`<registry>/<name>` before a bare name, the
 * catalog module's `ml-model` Resources included), else the Models page
 * searching for it. A claim from a location anyone may register is not
 * followed, so a catalog import cannot send searchers to a page of its own.
 */
export async function findModelPages(options: {
  catalog: CatalogService;
  auth: AuthService;
  trustedLocations: TrustedLocations;
}): Promise<ModelPages> {
  const { catalog, auth, trustedLocations } = options;
  const annotation = ML_PLATFORM_ANNOTATIONS.registeredModel;
  const { items } = await catalog.getEntities(
    {
      filter: { [`metadata.annotations.${annotation}`]: CATALOG_FILTER_EXISTS },
      fields: [
        'kind',
        'metadata.namespace',
        'metadata.name',
        'metadata.annotations',
      ],
    },
    { credentials: await auth.getOwnServiceCredentials() },
  );

  const byKey = new Map<string, string>();
  const byName = new Map<string, string>();
  // The same page for the same model on every run, whatever order the
  // catalog answers in.
  const sorted = [...items].sort((a, b) =>
    stringifyEntityRef(a).localeCompare(stringifyEntityRef(b)),
  );
  for (const entity of sorted) {
    const annotations = entity.metadata.annotations ?? {};
    if (!trustedLocations(annotations[ANNOTATION_ORIGIN_LOCATION] ?? '')) {
      continue;
    }
    let ref;
    try {
      ref = parseRegisteredModelRef(annotations[annotation] ?? '');
    } catch {
      continue; // the catalog module reports such annotations
    }
    const page = `/catalog/${entity.metadata.namespace ?? DEFAULT_NAMESPACE}/${
      entity.kind
    }/${entity.metadata.name}/${MODEL_TAB_PATH}`.toLowerCase();
    const index = ref.registryId ? byKey : byName;
    const key = ref.registryId ? `${ref.registryId}/${ref.name}` : ref.name;
    if (!index.has(key)) index.set(key, page);
  }

  return (registryId, name) =>
    byKey.get(`${registryId}/${name}`) ??
    byName.get(name) ??
    `/ml-platform?search=${encodeURIComponent(
      name,
    )}&registry=${encodeURIComponent(registryId)}`;
}
