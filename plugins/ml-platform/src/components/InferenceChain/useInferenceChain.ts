import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { useApiHolder } from '@backstage/frontend-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import useAsync from 'react-use/esm/useAsync';
import { classifyRelated } from './classifyRelated';

/**
 * The model's pre- and post-processing services from its catalog relations.
 * The related entities are fetched for their tags and titles; if the catalog
 * does not answer (or the app has none), the chain is still drawn from the
 * relations alone.
 */
export function useInferenceChain(model: Entity) {
  const catalogApi = useApiHolder().get(catalogApiRef);
  const refs = (model.relations ?? []).map(r => r.targetRef);
  const key = refs.join(',');
  const { value, error, loading } = useAsync(async () => {
    const related = new Map<string, Entity>();
    if (refs.length === 0 || !catalogApi) {
      return related;
    }
    const { items } = await catalogApi.getEntitiesByRefs({
      entityRefs: refs,
      fields: [
        'kind',
        'metadata.name',
        'metadata.namespace',
        'metadata.title',
        'metadata.tags',
        'spec.type',
      ],
    });
    for (const entity of items) {
      if (entity) {
        related.set(stringifyEntityRef(entity), entity);
      }
    }
    return related;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [catalogApi, key]);
  const related = value ?? new Map<string, Entity>();
  return {
    ...classifyRelated(model, related),
    related,
    loading,
    error,
  };
}
