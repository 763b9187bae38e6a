import { ConflictError, InputError, NotAllowedError } from '@backstage/errors';
import type { KubeHttp } from './createKubeHttp';
import type { Manifest } from './readManifests';
import type { KubeResource } from './resolveResource';

/** The field manager of every object the templates apply. */
export const FIELD_MANAGER = 'ml-platform-scaffolder';

/** An object checked for the target namespace, with where it is served. */
export interface PlannedObject {
  manifest: Manifest;
  resource: KubeResource;
  /** `Kind/namespace/name`. */
  ref: string;
}

export function objectPath(o: PlannedObject): string {
  const { groupVersionPath, plural } = o.resource;
  const { name, namespace } = o.manifest.metadata;
  return `${groupVersionPath}/namespaces/${namespace}/${plural}/${encodeURIComponent(
    name,
  )}`;
}

/**
 * Checks that every object belongs in the namespace the template names:
 * a template may not create cluster-wide objects nor write elsewhere.
 */
export async function planObjects(
  manifests: Manifest[],
  namespace: string,
  resolve: (m: Manifest) => Promise<KubeResource>,
): Promise<PlannedObject[]> {
  const planned: PlannedObject[] = [];
  for (const m of manifests) {
    const resource = await resolve(m);
    const { name } = m.metadata;
    if (!resource.namespaced) {
      throw new InputError(
        `${m.kind} ${name} is cluster-scoped; templates may only apply objects in a namespace. Nothing was applied.`,
      );
    }
    if (m.metadata.namespace && m.metadata.namespace !== namespace) {
      throw new InputError(
        `${m.kind} ${name} is for namespace '${m.metadata.namespace}', not '${namespace}'. Nothing was applied.`,
      );
    }
    const manifest = { ...m, metadata: { ...m.metadata, namespace } };
    planned.push({ manifest, resource, ref: `${m.kind}/${namespace}/${name}` });
  }
  return planned;
}

function messageOf(body: any): string {
  return typeof body === 'object' && body?.message
    ? body.message
    : String(body ?? 'no body');
}

function toError(
  o: PlannedObject,
  status: number,
  body: any,
  cluster: string,
  dryRun: boolean,
): Error {
  const message = messageOf(body);
  const nothing = dryRun ? ' Nothing was applied.' : '';
  if (status === 404 && body?.details?.kind === 'namespaces') {
    return new InputError(
      `Namespace '${o.manifest.metadata.namespace}' does not exist in cluster '${cluster}'.${nothing}`,
    );
  }
  if (status === 400 || status === 422) {
    return new InputError(`${o.ref} is invalid: ${message}.${nothing}`);
  }
  if (status === 409) {
    // Another field manager owns a field with another value, e.g. weights a
    // rollout changed since: taking them over would undo that rollout.
    return new ConflictError(`${o.ref}: ${message}.${nothing}`);
  }
  if (status === 401 || status === 403) {
    return new NotAllowedError(
      `Cluster '${cluster}' refused ${o.ref} to the portal's credentials: ${message}.${nothing}`,
    );
  }
  return new Error(
    `Applying ${o.ref} to cluster '${cluster}' failed (${status}): ${message}.${nothing}`,
  );
}

async function applyEach(
  kube: KubeHttp,
  cluster: string,
  planned: PlannedObject[],
  dryRun: boolean,
): Promise<Array<{ ref: string; resourceVersion?: string }>> {
  const results = [];
  for (const o of planned) {
    const query = `?fieldManager=${FIELD_MANAGER}${
      dryRun ? '&dryRun=All' : ''
    }`;
    // JSON is YAML, so the object goes as is.
    const res = await kube(
      'PATCH',
      `${objectPath(o)}${query}`,
      o.manifest,
      'application/apply-patch+yaml',
    );
    if (res.status !== 200 && res.status !== 201) {
      throw toError(o, res.status, res.body, cluster, dryRun);
    }
    results.push({
      ref: o.ref,
      resourceVersion: res.body?.metadata?.resourceVersion,
    });
  }
  return results;
}

/**
 * Server-side applies the objects. Every object is first sent with
 * `dryRun=All`, so that the apiserver validates them all (admission
 * included) and a bad one stops the apply before anything is changed.
 */
export async function applyObjects(options: {
  kube: KubeHttp;
  cluster: string;
  planned: PlannedObject[];
  dryRun: boolean;
}): Promise<Array<{ ref: string; resourceVersion?: string }>> {
  const { kube, cluster, planned, dryRun } = options;
  const validated = await applyEach(kube, cluster, planned, true);
  if (dryRun) return validated;
  return applyEach(kube, cluster, planned, false);
}
