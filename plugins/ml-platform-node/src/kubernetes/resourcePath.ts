import type { KubeResource } from './KubeClient';

/**
 * `/api/v1` or `/apis/<group>/<version>`, then the namespace, the plural, the
 * name and the subresource where given.
 * @public
 */
export function resourcePath(
  resource: KubeResource,
  namespace?: string,
  name?: string,
  subresource?: string,
): string {
  const parts = [
    resource.group
      ? `/apis/${resource.group}/${resource.version}`
      : `/api/${resource.version}`,
  ];
  if (namespace) parts.push('namespaces', encodeURIComponent(namespace));
  parts.push(resource.plural);
  if (name) parts.push(encodeURIComponent(name));
  if (subresource) parts.push(subresource);
  return parts.join('/');
}

/**
 * `httproutes.gateway.networking.k8s.io ml-prod/scorer`, `services ml-prod/scorer-v2`.
 * @public
 */
export function describeObject(
  resource: KubeResource,
  namespace: string | undefined,
  name: string,
): string {
  const kind = resource.group
    ? `${resource.plural}.${resource.group}`
    : resource.plural;
  return `${kind} ${namespace ? `${namespace}/` : ''}${name}`;
}

export function describeCollection(resource: KubeResource, namespace?: string) {
  const kind = resource.group
    ? `${resource.plural}.${resource.group}`
    : resource.plural;
  return `Listing ${kind}${namespace ? ` in ${namespace}` : ''}`;
}
