import { kubeRequest } from 'platform-tests';

/** Where an object of a kind is served, found through API discovery. */
export interface ResourceInfo {
  plural: string;
  namespaced: boolean;
}

const discovered = new Map<string, Promise<any>>();

/** The collection path and scope of a kind, from the apiserver's discovery. */
async function resourceOf(
  apiVersion: string,
  kind: string,
): Promise<ResourceInfo & { groupVersionPath: string }> {
  const groupVersionPath = apiVersion.includes('/')
    ? `/apis/${apiVersion}`
    : `/api/${apiVersion}`;
  if (!discovered.has(groupVersionPath)) {
    discovered.set(
      groupVersionPath,
      kubeRequest('GET', groupVersionPath).then(r => r.body),
    );
  }
  const list = await discovered.get(groupVersionPath);
  const resource = (list?.resources ?? []).find(
    (r: { kind: string; name: string }) =>
      r.kind === kind && !r.name.includes('/'),
  );
  if (!resource) {
    throw new Error(`The apiserver does not serve ${kind} in ${apiVersion}`);
  }
  return {
    groupVersionPath,
    plural: resource.name,
    namespaced: resource.namespaced,
  };
}

/** The path of one object, as server-side apply addresses it. */
export async function objectPath(manifest: {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
}): Promise<string> {
  const r = await resourceOf(manifest.apiVersion, manifest.kind);
  const ns =
    r.namespaced && manifest.metadata.namespace
      ? `/namespaces/${manifest.metadata.namespace}`
      : '';
  return `${r.groupVersionPath}${ns}/${r.plural}/${manifest.metadata.name}`;
}

/**
 * Server-side apply as the admin; with `dryRun` the apiserver validates,
 * defaults and admits the object and stores nothing. Unknown fields fail.
 */
export async function serverSideApply(
  manifest: Parameters<typeof objectPath>[0],
  options: { dryRun: boolean; fieldManager: string },
) {
  const query = new URLSearchParams({
    fieldManager: options.fieldManager,
    fieldValidation: 'Strict',
    force: 'true',
    ...(options.dryRun && { dryRun: 'All' }),
  });
  return kubeRequest(
    'PATCH',
    `${await objectPath(manifest)}?${query}`,
    manifest,
    'application/apply-patch+yaml',
  );
}
