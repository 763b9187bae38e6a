import type {
  JsonPatchOperation,
  KubeClient,
  KubeResource,
} from '../kubernetes';

/**
 * A JSON Patch that the apiserver applies only if the object is still at the
 * resourceVersion the caller read: the leading `test` makes it refuse the whole
 * patch otherwise, which the client reports as a ConflictError. A subresource
 * (`scale`) carries the object's own resourceVersion.
 * @public
 */
export function guardedJsonPatch<T>(
  kube: KubeClient,
  kind: KubeResource,
  object: { namespace: string; name: string },
  expectedResourceVersion: string,
  operations: JsonPatchOperation[],
  options: { subresource?: string } = {},
): Promise<T> {
  return kube.jsonPatch<T>(
    kind,
    object.namespace,
    object.name,
    [
      {
        op: 'test',
        path: '/metadata/resourceVersion',
        value: expectedResourceVersion,
      },
      ...operations,
    ],
    options,
  );
}
