import { InputError } from '@backstage/errors';
import type {
  DiscoveredResource,
  KubeClient,
} from '@mlplatform/plugin-ml-platform-node';
import type { Manifest } from './readManifests';

/**
 * Resolves kinds through the apiserver's discovery, so that CRDs (HTTPRoute,
 * Rollout, InferenceService...) work like built-in kinds. The client asks
 * once per group version.
 */
export function createResourceResolver(kube: KubeClient) {
  return async (manifest: Manifest): Promise<DiscoveredResource> => {
    const { apiVersion, kind } = manifest;
    const resource = await kube.discover(apiVersion, kind);
    if (!resource) {
      throw new InputError(
        `${kind} of ${apiVersion} is not served by cluster '${kube.cluster}'; is its CRD installed?`,
      );
    }
    return resource;
  };
}
