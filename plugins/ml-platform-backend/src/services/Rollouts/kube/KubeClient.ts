import type {
  V1Deployment,
  V1ReplicaSet,
  V1Service,
} from '@kubernetes/client-node';
import type { CustomKind } from '../../../lib/customKinds';

/** A JSON Patch (RFC 6902) operation. */
export interface JsonPatchOperation {
  op: 'test' | 'add' | 'replace' | 'remove';
  path: string;
  value?: unknown;
}

/**
 * The few apiserver calls the traffic routers make, with errors already
 * turned into Backstage errors: 404 is a NotFoundError, a write refused
 * because the object changed is a ConflictError.
 */
export interface KubeClient {
  getCustom<T>(kind: CustomKind, namespace: string, name: string): Promise<T>;
  /** Every object of the kind in the namespace, or in all namespaces; none when the kind is not installed. */
  listCustom<T>(kind: CustomKind, namespace?: string): Promise<T[]>;
  listServices(namespace: string, labelSelector: string): Promise<V1Service[]>;
  listReplicaSets(
    namespace: string,
    labelSelector: string,
  ): Promise<V1ReplicaSet[]>;
  listDeployments(
    namespace: string,
    labelSelector: string,
  ): Promise<V1Deployment[]>;
  /** A JSON Patch; guard it with a `test` of /metadata/resourceVersion. */
  jsonPatch<T>(
    kind: CustomKind,
    namespace: string,
    name: string,
    operations: JsonPatchOperation[],
  ): Promise<T>;
  /**
   * A JSON merge patch of the object or its status subresource; a
   * `metadata.resourceVersion` in it makes the apiserver refuse the write
   * with 409 if the object changed.
   */
  mergePatch<T>(
    kind: CustomKind,
    namespace: string,
    name: string,
    patch: object,
    subresource?: 'status',
  ): Promise<T>;
}
