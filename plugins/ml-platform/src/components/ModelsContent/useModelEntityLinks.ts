import { useCallback } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { Entity } from '@backstage/catalog-model';
import { useApiHolder } from '@backstage/frontend-plugin-api';
import {
  CATALOG_FILTER_EXISTS,
  catalogApiRef,
} from '@backstage/plugin-catalog-react';
import {
  ML_PLATFORM_ANNOTATIONS,
  parseRegisteredModelRef,
} from '@mlplatform/plugin-ml-platform-common';
import { MODEL_TAB_PATH } from '../../routes';
import { useEntityLink } from '../useEntityLink';

const annotation = ML_PLATFORM_ANNOTATIONS.registeredModel;

interface EntityIndex {
  /** `<registry id>/<model name>` to entity. */
  byKey: Map<string, Entity>;
  /** Bare annotations name a model in whichever registry has it. */
  byName: Map<string, Entity>;
}

const indexEntities = (entities: Entity[]): EntityIndex => {
  const byKey = new Map<string, Entity>();
  const byName = new Map<string, Entity>();
  for (const entity of entities) {
    try {
      const ref = parseRegisteredModelRef(
        entity.metadata.annotations?.[annotation] ?? '',
      );
      if (ref.registryId) {
        byKey.set(`${ref.registryId}/${ref.name}`, entity);
      } else {
        byName.set(ref.name, entity);
      }
    } catch {
      // The catalog module rejects such annotations; nothing to link to.
    }
  }
  return { byKey, byName };
};

/**
 * Finds the model tab of each model's catalog page: the page of the
 * component that names it in its `ml-platform.io/registered-model`
 * annotation, or else of the `ml-model` resource the catalog module made
 * for it. One catalog request for all rows;
 * without a catalog the page still works, only without links.
 */
export function useModelEntityLinks(): (model: {
  registryId: string;
  name: string;
}) => string | undefined {
  const catalogApi = useApiHolder().get(catalogApiRef);
  const entityLink = useEntityLink();

  const { value: index } = useAsync(async () => {
    if (!catalogApi) {
      return undefined;
    }
    const { items } = await catalogApi.getEntities({
      filter: { [`metadata.annotations.${annotation}`]: CATALOG_FILTER_EXISTS },
      fields: [
        'kind',
        'metadata.namespace',
        'metadata.name',
        'metadata.annotations',
      ],
    });
    return indexEntities(items);
  }, [catalogApi]);

  return useCallback(
    model => {
      const entity =
        index?.byKey.get(`${model.registryId}/${model.name}`) ??
        index?.byName.get(model.name);
      const page = entity && entityLink(entity);
      return page && `${page}/${MODEL_TAB_PATH}`;
    },
    [index, entityLink],
  );
}
