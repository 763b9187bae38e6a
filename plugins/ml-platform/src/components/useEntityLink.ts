import { useCallback } from 'react';
import { CompoundEntityRef, Entity } from '@backstage/catalog-model';
import { useRouteRef } from '@backstage/frontend-plugin-api';
import {
  entityRouteParams,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';

/** Builds entity page links; undefined in apps without entity pages, where names show unlinked. */
export function useEntityLink(): (
  entityOrRef: Entity | CompoundEntityRef,
) => string | undefined {
  const entityRoute = useRouteRef(entityRouteRef);
  return useCallback(
    entityOrRef =>
      entityRoute?.(entityRouteParams(entityOrRef, { encodeParams: true })),
    [entityRoute],
  );
}
