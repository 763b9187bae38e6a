import { kubeRequest } from 'platform-tests';
import yaml from 'yaml';

// The REST path of each kind the templates generate.
const RESOURCES: Record<string, { prefix: string; plural: string }> = {
  'apps/v1/Deployment': { prefix: '/apis/apps/v1', plural: 'deployments' },
  'v1/Service': { prefix: '/api/v1', plural: 'services' },
  'gateway.networking.k8s.io/v1/HTTPRoute': {
    prefix: '/apis/gateway.networking.k8s.io/v1',
    plural: 'httproutes',
  },
  'gateway.networking.k8s.io/v1/Gateway': {
    prefix: '/apis/gateway.networking.k8s.io/v1',
    plural: 'gateways',
  },
  'argoproj.io/v1alpha1/Rollout': {
    prefix: '/apis/argoproj.io/v1alpha1',
    plural: 'rollouts',
  },
};

/** Every YAML document of the files, as objects. */
export function parseManifests(files: string[]): any[] {
  return files.flatMap(text =>
    yaml
      .parseAllDocuments(text)
      .map(d => d.toJS())
      .filter(Boolean),
  );
}

/**
 * Server-side applies each object on the local apiserver; with `dryRun`,
 * validated and defaulted by the real apiserver (and CRD schemas), nothing
 * stored. Answers the status and body per object.
 */
export async function serverSideApply(
  objects: any[],
  options: { dryRun: boolean },
) {
  const results = [];
  for (const obj of objects) {
    const resource = RESOURCES[`${obj.apiVersion}/${obj.kind}`];
    if (!resource) {
      throw new Error(`no REST path known for ${obj.apiVersion} ${obj.kind}`);
    }
    const { namespace, name } = obj.metadata;
    const dryRun = options.dryRun ? 'dryRun=All&' : '';
    const res = await kubeRequest(
      'PATCH',
      `${resource.prefix}/namespaces/${namespace}/${resource.plural}/${name}?${dryRun}fieldManager=ml-platform-template-tests&force=true`,
      obj,
      'application/apply-patch+yaml',
    );
    results.push({ ref: `${obj.kind}/${namespace}/${name}`, ...res });
  }
  return results;
}

/** {@link serverSideApply} with dryRun=All: nothing stored. */
const serverSideDryRun = (objects: any[]) =>
  serverSideApply(objects, { dryRun: true });

/** [kind, 'accepted' or the apiserver's message] per object, for assertions. */
export async function acceptedByApiserver(objects: any[]) {
  return (await serverSideDryRun(objects)).map((r, i) => [
    objects[i].kind,
    r.status < 300 ? 'accepted' : `${r.status}: ${r.body?.message}`,
  ]);
}
