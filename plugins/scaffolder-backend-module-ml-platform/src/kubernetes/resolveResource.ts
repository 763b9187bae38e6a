import { InputError } from '@backstage/errors';
import type { KubeHttp } from './createKubeHttp';
import type { Manifest } from './readManifests';

/** Where the apiserver serves a kind, from its discovery documents. */
export interface KubeResource {
  /** `/api/v1` or `/apis/<group>/<version>`. */
  groupVersionPath: string;
  plural: string;
  namespaced: boolean;
}

interface ApiResourceList {
  resources?: Array<{ name: string; kind: string; namespaced: boolean }>;
}

/**
 * Resolves kinds through the apiserver's discovery, so that CRDs (HTTPRoute,
 * Rollout, InferenceService...) work like built-in kinds. One discovery
 * request per group version.
 */
export function createResourceResolver(kube: KubeHttp, cluster: string) {
  const lists = new Map<string, Promise<ApiResourceList | undefined>>();

  const list = (groupVersionPath: string) => {
    let cached = lists.get(groupVersionPath);
    if (!cached) {
      cached = kube('GET', groupVersionPath).then(res => {
        if (res.status === 404) return undefined;
        if (res.status !== 200) {
          throw new Error(
            `Discovery of ${groupVersionPath} in cluster '${cluster}' failed (${
              res.status
            }): ${res.body?.message ?? JSON.stringify(res.body)}`,
          );
        }
        return res.body as ApiResourceList;
      });
      lists.set(groupVersionPath, cached);
    }
    return cached;
  };

  return async (manifest: Manifest): Promise<KubeResource> => {
    const { apiVersion, kind } = manifest;
    const groupVersionPath = apiVersion.includes('/')
      ? `/apis/${apiVersion}`
      : `/api/${apiVersion}`;
    const resource = (await list(groupVersionPath))?.resources?.find(
      // Sub-resources (deployments/status) share the kind; skip them.
      r => r.kind === kind && !r.name.includes('/'),
    );
    if (!resource) {
      throw new InputError(
        `${kind} of ${apiVersion} is not served by cluster '${cluster}'; is its CRD installed?`,
      );
    }
    return {
      groupVersionPath,
      plural: resource.name,
      namespaced: resource.namespaced,
    };
  };
}
