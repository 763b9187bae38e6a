import type {
  KubernetesListObject,
  KubernetesObject,
} from '@kubernetes/client-node';
import type { ResourceWatch, ResourceWatchOptions } from './ResourceWatch';

/**
 * A resource of the apiserver by group, version and plural, e.g.
 * `{ group: 'gateway.networking.k8s.io', version: 'v1', plural: 'httproutes' }`;
 * group `''` is the core group (`/api/v1`).
 * @public
 */
export interface KubeResource {
  group: string;
  version: string;
  plural: string;
}

/**
 * A JSON Patch (RFC 6902) operation.
 * @public
 */
export interface JsonPatchOperation {
  op: 'test' | 'add' | 'replace' | 'remove';
  path: string;
  value?: unknown;
}

/**
 * An object to write or read by its kind, as in a manifest.
 * @public
 */
export interface KubeManifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
  [key: string]: unknown;
}

/**
 * Where the apiserver serves a kind, from its discovery.
 * @public
 */
export interface DiscoveredResource {
  resource: KubeResource;
  namespaced: boolean;
}

/**
 * Options of a write.
 * @public
 */
export interface KubeWriteOptions {
  /** `All`: the apiserver validates and admits the write, and stores nothing. */
  dryRun?: 'All';
  fieldManager?: string;
}

/**
 * A namespaced or cluster-wide collection, optionally filtered.
 * @public
 */
export interface KubeListOptions {
  /** Leave out for every namespace (or a cluster-scoped resource). */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

/**
 * Requests to one cluster's apiserver with the cluster's own credentials,
 * over `@kubernetes/client-node`. Every request is bounded in time (see
 * {@link KubeClient.withTimeout}); reads and server-side applies are tried
 * again on 429 and 5xx answers and on broken connections, other writes only
 * when the apiserver certainly did not get them (429, connection refused).
 *
 * Failures are errors of `@backstage/errors`: a 404 is a
 * {@link KubeNotFoundError} (a NotFoundError), a 409 a
 * {@link KubeConflictError} (a ConflictError), any other error answer a
 * {@link KubeApiError}, each with the apiserver's `kubeStatus`; no answer in
 * time is a {@link KubeTimeoutError}, no connection a
 * {@link KubeUnreachableError}.
 * @public
 */
export interface KubeClient {
  /** The configured cluster's name. */
  readonly cluster: string;

  /** This client with every request bounded by `timeoutMs`, retries included. */
  withTimeout(timeoutMs: number): KubeClient;

  /**
   * This client with every request also ended when `signal` fires, e.g. for
   * a wait with a deadline of its own.
   */
  withSignal(signal: AbortSignal): KubeClient;

  /** One object; a {@link KubeNotFoundError} when it is not there. */
  get<T = KubernetesObject>(
    resource: KubeResource,
    namespace: string | undefined,
    name: string,
    options?: { subresource?: string },
  ): Promise<T>;

  /**
   * The objects of a collection, and the resourceVersion to watch it from.
   * A resource the cluster does not serve (a CRD that is not installed) is
   * a {@link KubeNotFoundError}.
   */
  listObject<T extends KubernetesObject = KubernetesObject>(
    resource: KubeResource,
    options?: KubeListOptions,
  ): Promise<KubernetesListObject<T>>;

  /** The objects of a collection; none when the cluster does not serve the resource. */
  list<T = KubernetesObject>(
    resource: KubeResource,
    options?: KubeListOptions,
  ): Promise<T[]>;

  create<T = KubernetesObject>(
    resource: KubeResource,
    namespace: string | undefined,
    body: object,
    options?: KubeWriteOptions,
  ): Promise<T>;

  /**
   * Replaces the object (PUT); with `metadata.resourceVersion` in `body` the
   * apiserver refuses it with 409 if the object changed since.
   */
  replace<T = KubernetesObject>(
    resource: KubeResource,
    namespace: string | undefined,
    name: string,
    body: object,
    options?: KubeWriteOptions & { subresource?: string },
  ): Promise<T>;

  /** Deletes the object; false when it was not there. */
  delete(
    resource: KubeResource,
    namespace: string | undefined,
    name: string,
    options?: { propagationPolicy?: 'Foreground' | 'Background' | 'Orphan' },
  ): Promise<boolean>;

  /**
   * A JSON Patch. Guard it with a leading `test` of
   * `/metadata/resourceVersion`: when that test fails because the object
   * changed, the answer is a {@link KubeConflictError}.
   */
  jsonPatch<T = KubernetesObject>(
    resource: KubeResource,
    namespace: string | undefined,
    name: string,
    operations: JsonPatchOperation[],
    options?: KubeWriteOptions & { subresource?: string },
  ): Promise<T>;

  /**
   * A JSON merge patch of the object or a subresource; a
   * `metadata.resourceVersion` in it makes the apiserver refuse it with 409
   * if the object changed.
   */
  mergePatch<T = KubernetesObject>(
    resource: KubeResource,
    namespace: string | undefined,
    name: string,
    patch: object,
    options?: KubeWriteOptions & { subresource?: string },
  ): Promise<T>;

  /**
   * Where the cluster serves a kind (`apps/v1` `Deployment`), from its
   * discovery (`KubernetesObjectApi`), asked once per group version;
   * undefined when it does not serve it.
   */
  discover(
    apiVersion: string,
    kind: string,
  ): Promise<DiscoveredResource | undefined>;

  /** The object a manifest names, or undefined when it is not there. */
  read<T extends KubernetesObject = KubernetesObject>(
    manifest: KubeManifest,
  ): Promise<T | undefined>;

  /**
   * Server-side apply of a manifest (`KubernetesObjectApi`) as
   * `fieldManager`: creates the object or sets the manifest's fields. Without
   * `force`, a field another manager set to another value makes the
   * apiserver refuse the whole apply with 409. With `subresource` (e.g.
   * `status`, a controller's part) the apply goes to that subresource.
   */
  apply<T extends KubernetesObject = KubernetesObject>(
    manifest: KubeManifest,
    options: KubeWriteOptions & {
      fieldManager: string;
      force?: boolean;
      /** e.g. `status`, for a controller's part of the object. */
      subresource?: string;
      /**
       * `Strict`: a field the kind does not have makes the apiserver refuse
       * the apply (400), where by default (`Warn`) it drops the field and
       * stores the rest.
       */
      fieldValidation?: 'Strict' | 'Warn' | 'Ignore';
    },
  ): Promise<T>;

  /**
   * A list+watch of the resource in every namespace, kept in memory and
   * restarted with backoff after errors; its list has this client's bound
   * and retries, its watch connection a bound on connecting.
   */
  watch(resource: KubeResource, options: ResourceWatchOptions): ResourceWatch;

  /**
   * A raw request, for what has no call of its own (`/version`, a
   * non-resource path). Answers any status instead of throwing on it.
   */
  request(options: {
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
    path: string;
    query?: Record<string, string>;
    body?: unknown;
    contentType?: string;
  }): Promise<{ status: number; body: any }>;
}
