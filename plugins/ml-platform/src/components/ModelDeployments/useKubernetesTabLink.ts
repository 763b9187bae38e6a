import { useEntity } from '@backstage/plugin-catalog-react';
import { useEntityLink } from '../useEntityLink';

// The annotations @backstage/plugin-kubernetes shows its entity tab for.
const KUBERNETES_ANNOTATIONS = [
  'backstage.io/kubernetes-id',
  'backstage.io/kubernetes-label-selector',
];

/**
 * The entity's Kubernetes tab (pods, errors, logs), which
 * `@backstage/plugin-kubernetes` mounts at `kubernetes` under the entity page;
 * undefined when the entity lacks the annotations that tab needs, or the app
 * has no entity pages to link into.
 */
export function useKubernetesTabLink(): string | undefined {
  const { entity } = useEntity();
  const entityPage = useEntityLink()(entity);
  const annotations = entity.metadata.annotations ?? {};
  if (!entityPage || !KUBERNETES_ANNOTATIONS.some(a => annotations[a])) {
    return undefined;
  }
  return `${entityPage}/kubernetes`;
}
