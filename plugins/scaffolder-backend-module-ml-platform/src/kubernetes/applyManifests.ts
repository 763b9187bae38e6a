import { ConflictError, InputError, NotAllowedError } from '@backstage/errors';
import {
  kubeStatusOf,
  KubeApiError,
  KubeConflictError,
  KubeNotFoundError,
  type DiscoveredResource,
  type KubeClient,
} from '@mlplatform/plugin-ml-platform-node';
import type { CheckedOwner } from '../ownership/checkOwner';
import { checkExistingOwner, fieldManagerFor, stampOwner } from './ownership';
import type { Manifest } from './readManifests';

/** An object checked for the target namespace, with where it is served. */
export interface PlannedObject {
  manifest: Manifest;
  resource: DiscoveredResource;
  /** `Kind/namespace/name`. */
  ref: string;
}

/**
 * Checks that every object is of a kind templates produce and belongs in
 * the namespace the template names (a template may not create cluster-wide
 * objects nor write elsewhere), and stamps it with its owner.
 */
export async function planObjects(options: {
  manifests: Manifest[];
  namespace: string;
  resolve: (m: Manifest) => Promise<DiscoveredResource>;
  allowedKinds: string[];
  owner: CheckedOwner;
}): Promise<PlannedObject[]> {
  const { manifests, namespace, resolve, allowedKinds, owner } = options;
  // Every check that needs no cluster first, for all objects: a refused
  // object costs the apiserver nothing.
  const stamped = manifests.map(m => {
    const { name } = m.metadata;
    if (!allowedKinds.includes(`${m.apiVersion}/${m.kind}`)) {
      throw new InputError(
        `${m.kind} ${name} (${
          m.apiVersion
        }) is not a kind templates may apply; allowed: ${allowedKinds.join(
          ', ',
        )}. Nothing was applied.`,
      );
    }
    if (m.metadata.namespace && m.metadata.namespace !== namespace) {
      throw new InputError(
        `${m.kind} ${name} is for namespace '${m.metadata.namespace}', not '${namespace}'. Nothing was applied.`,
      );
    }
    return stampOwner({ ...m, metadata: { ...m.metadata, namespace } }, owner);
  });
  const planned: PlannedObject[] = [];
  for (const manifest of stamped) {
    const { kind, metadata } = manifest;
    const resource = await resolve(manifest);
    if (!resource.namespaced) {
      throw new InputError(
        `${kind} ${metadata.name} is cluster-scoped; templates may only apply objects in a namespace. Nothing was applied.`,
      );
    }
    planned.push({
      manifest,
      resource,
      ref: `${kind}/${namespace}/${metadata.name}`,
    });
  }
  return planned;
}

/**
 * What a refused apply or read tells the template's author. Only answers of
 * the apiserver are turned into input, conflict and permission errors;
 * anything else (no answer, no connection) stays what the client said.
 */
function toError(
  o: PlannedObject,
  error: unknown,
  cluster: string,
  dryRun: boolean,
): unknown {
  const status = kubeStatusOf(error);
  if (
    !status ||
    !(
      error instanceof KubeApiError ||
      error instanceof KubeNotFoundError ||
      error instanceof KubeConflictError
    )
  ) {
    return error;
  }
  const message = status.message ?? status.reason ?? 'no message';
  const nothing = dryRun ? ' Nothing was applied.' : '';
  if (status.status === 404 && status.details?.kind === 'namespaces') {
    return new InputError(
      `Namespace '${o.manifest.metadata.namespace}' does not exist in cluster '${cluster}'.${nothing}`,
    );
  }
  if (status.status === 400 || status.status === 422) {
    return new InputError(`${o.ref} is invalid: ${message}.${nothing}`);
  }
  if (status.status === 409) {
    // Another field manager owns a field with another value, e.g. weights a
    // rollout changed since: taking them over would undo that rollout.
    return new ConflictError(`${o.ref}: ${message}.${nothing}`);
  }
  if (status.status === 401 || status.status === 403) {
    return new NotAllowedError(
      `Cluster '${cluster}' refused ${o.ref} to the portal's credentials: ${message}.${nothing}`,
    );
  }
  return new Error(
    `Applying ${o.ref} to cluster '${cluster}' failed (${status.status}): ${message}.${nothing}`,
  );
}

async function applyEach(
  kube: KubeClient,
  planned: PlannedObject[],
  fieldManager: string,
  dryRun: boolean,
): Promise<Array<{ ref: string; resourceVersion?: string }>> {
  const results = [];
  for (const o of planned) {
    try {
      const applied = await kube.apply(o.manifest, {
        fieldManager,
        ...(dryRun && { dryRun: 'All' as const }),
      });
      results.push({
        ref: o.ref,
        resourceVersion: applied.metadata?.resourceVersion,
      });
    } catch (e) {
      throw toError(o, e, kube.cluster, dryRun);
    }
  }
  return results;
}

/** Refuses the apply when any object exists and is not the owner's. */
async function checkExisting(
  kube: KubeClient,
  planned: PlannedObject[],
  owner: CheckedOwner,
) {
  for (const o of planned) {
    let existing;
    try {
      existing = await kube.read(o.manifest);
    } catch (e) {
      throw toError(o, e, kube.cluster, true);
    }
    checkExistingOwner(o.ref, existing, owner);
  }
}

/**
 * Server-side applies the objects as their owner. Objects that exist must
 * be the owner's already. Every object is then sent with `dryRun=All`, so
 * that the apiserver validates them all (admission included) and a bad one
 * stops the apply before anything is changed. The owner's own field manager
 * makes the apiserver refuse, as a conflict, a change to a field that
 * anyone else set since, even one made between the checks and the apply.
 */
export async function applyObjects(options: {
  kube: KubeClient;
  planned: PlannedObject[];
  owner: CheckedOwner;
  dryRun: boolean;
}): Promise<Array<{ ref: string; resourceVersion?: string }>> {
  const { kube, planned, owner, dryRun } = options;
  const manager = fieldManagerFor(owner);
  await checkExisting(kube, planned, owner);
  const validated = await applyEach(kube, planned, manager, true);
  if (dryRun) return validated;
  return applyEach(kube, planned, manager, false);
}
