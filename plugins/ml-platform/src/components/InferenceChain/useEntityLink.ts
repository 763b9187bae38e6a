import { CompoundEntityRef } from '@backstage/catalog-model';
import { useRouteRef } from '@backstage/frontend-plugin-api';
import {
  entityRouteParams,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';

/** Builds entity page links; undefined in apps without entity pages, where names show unlinked. */
export function useEntityLink(): (
  ref: CompoundEntityRef,
) => string | undefined {
  const entityRoute = useRouteRef(entityRouteRef);
  return ref => entityRoute?.(entityRouteParams(ref, { encodeParams: true }));
}
