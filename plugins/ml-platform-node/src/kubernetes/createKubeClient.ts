import {
  ApiException,
  createConfiguration,
  HttpMethod,
  KubernetesObjectApi,
  PatchStrategy,
  RequestContext,
  ServerConfiguration,
  type HttpLibrary,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
} from '@kubernetes/client-node';
import {
  KubeApiError,
  KubeConflictError,
  KubeNotFoundError,
  KubeTimeoutError,
  KubeUnreachableError,
  readKubeStatus,
  type KubeStatus,
} from './kubeErrors';
import type {
  DiscoveredResource,
  JsonPatchOperation,
  KubeClient,
  KubeManifest,
  KubeResource,
} from './KubeClient';
import { InformerWatch } from './ResourceWatch';
import {
  describeCollection,
  describeObject,
  resourcePath,
} from './resourcePath';
import {
  createBoundedHttpLibrary,
  DEFAULT_KUBE_REQUEST_POLICY,
  withRequestPolicy,
  type KubeRequestPolicy,
} from './requestPolicy';

function manifestResource(apiVersion: string, plural: string): KubeResource {
  const [group, version] = apiVersion.includes('/')
    ? apiVersion.split('/', 2)
    : ['', apiVersion];
  return { group, version, plural };
}

/** What a failed answer becomes: one error per status the callers tell apart. */
function statusError(what: string, status: KubeStatus): Error {
  if (status.status === 404) {
    return new KubeNotFoundError(`${what} not found`, status);
  }
  if (status.status === 409) {
    return new KubeConflictError(
      `${what}: ${status.message ?? 'conflict'}`,
      status,
    );
  }
  return new KubeApiError(what, status);
}

function changedError(what: string, status: KubeStatus): KubeConflictError {
  return new KubeConflictError(
    `${what} changed since it was read; nothing was applied. Read it again and retry.`,
    status,
  );
}

/**
 * The request's failure to get an answer, said of `what` the caller asked.
 * A write without an answer in time may have been applied all the same; the
 * error says so, so that nobody takes it for "nothing happened".
 */
function noAnswer(what: string, write: boolean, error: unknown): unknown {
  if (error instanceof KubeTimeoutError) {
    return new KubeTimeoutError(
      what,
      write
        ? `${error.reason}; the change may or may not have been applied: read the object before trying again`
        : error.reason,
    );
  }
  if (error instanceof KubeUnreachableError) {
    return new KubeUnreachableError(what, error.reason, error.code);
  }
  return error;
}

/** client-node's object API, with its discovery (cached per group version) in reach. */
class ObjectApi extends KubernetesObjectApi {
  discover(apiVersion: string, kind: string) {
    return this.resource(apiVersion, kind);
  }
}

/**
 * Options of {@link createKubeClient}.
 * @public
 */
export interface CreateKubeClientOptions {
  /** How long a request may take and how it is tried again. */
  policy?: Partial<KubeRequestPolicy>;
  /** The HTTP library under the bound and retries; client-node's fetch by default. */
  httpLibrary?: HttpLibrary;
}

/**
 * The client of one cluster, from its client-node configuration (see
 * `kubeConfigFor`): typed object calls by resource, and by kind through
 * client-node's `KubernetesObjectApi` for server-side apply and discovery,
 * every request through one HTTP library that bounds it in time and tries
 * it again where that is safe.
 * @public
 */
export function createKubeClient(
  clusterName: string,
  kubeConfig: KubeConfig,
  options: CreateKubeClientOptions = {},
): KubeClient {
  const basePolicy = { ...DEFAULT_KUBE_REQUEST_POLICY, ...options.policy };
  const httpApi = createBoundedHttpLibrary(
    basePolicy,
    options.httpLibrary ?? undefined,
  );
  const server = kubeConfig.getCurrentCluster()?.server;
  if (!server) {
    throw new Error(`Cluster '${clusterName}' has no server`);
  }
  const configuration = createConfiguration({
    baseServer: new ServerConfiguration(server, {}),
    authMethods: { default: kubeConfig },
    httpApi,
  });
  const objects = new ObjectApi(configuration);

  return bind(basePolicy, undefined);

  function bind(policy: KubeRequestPolicy, signal?: AbortSignal): KubeClient {
    const within = <T>(run: () => Promise<T>) =>
      withRequestPolicy(policy, signal, run);

    /** Sends one request and reads its answer: JSON, or text when it is not. */
    async function send(
      method: HttpMethod,
      path: string,
      init: {
        query?: Record<string, string | undefined>;
        body?: unknown;
        contentType?: string;
      } = {},
    ): Promise<{ status: number; body: any }> {
      const context = new RequestContext(`${server}${path}`, method);
      for (const [k, v] of Object.entries(init.query ?? {})) {
        if (v !== undefined) context.setQueryParam(k, v);
      }
      context.setHeaderParam('Accept', 'application/json');
      if (init.body !== undefined) {
        context.setHeaderParam(
          'Content-Type',
          init.contentType ?? 'application/json',
        );
        context.setBody(
          typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
        );
      }
      await kubeConfig.applySecurityAuthentication(context);
      const response = await within(() => httpApi.send(context).toPromise());
      const text = await response.body.text();
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        // Not JSON, e.g. from a proxy in between: keep the text.
      }
      return { status: response.httpStatusCode, body };
    }

    /** A request whose error answers and timeouts become the client's errors. */
    async function call<T>(
      what: string,
      write: boolean,
      method: HttpMethod,
      path: string,
      init?: Parameters<typeof send>[2],
    ): Promise<{ status: number; body: T }> {
      let res;
      try {
        res = await send(method, path, init);
      } catch (e) {
        throw noAnswer(what, write, e);
      }
      if (res.status >= 200 && res.status < 300) return res;
      throw statusError(what, readKubeStatus(res.status, res.body));
    }

    /** A call of client-node's object API, with the same errors. */
    async function objectCall<T>(
      what: string,
      write: boolean,
      run: () => Promise<T>,
    ): Promise<T> {
      try {
        return await within(run);
      } catch (e) {
        if (e instanceof ApiException) {
          throw statusError(what, readKubeStatus(e.code, e.body));
        }
        throw noAnswer(what, write, e);
      }
    }

    const client: KubeClient = {
      cluster: clusterName,

      withTimeout(timeoutMs) {
        return bind({ ...policy, timeoutMs: Math.max(1, timeoutMs) }, signal);
      },

      withSignal(abortSignal) {
        return bind(
          policy,
          signal ? AbortSignal.any([signal, abortSignal]) : abortSignal,
        );
      },

      async get<T>(
        resource: KubeResource,
        namespace: string | undefined,
        name: string,
        opts: { subresource?: string } = {},
      ) {
        const what = describeObject(resource, namespace, name);
        const res = await call<T>(
          what,
          false,
          HttpMethod.GET,
          resourcePath(resource, namespace, name, opts.subresource),
        );
        return res.body;
      },

      async listObject<T extends KubernetesObject>(
        resource: KubeResource,
        opts: {
          namespace?: string;
          labelSelector?: string;
          fieldSelector?: string;
        } = {},
      ) {
        const res = await call<KubernetesListObject<T>>(
          describeCollection(resource, opts.namespace),
          false,
          HttpMethod.GET,
          resourcePath(resource, opts.namespace),
          {
            query: {
              labelSelector: opts.labelSelector,
              fieldSelector: opts.fieldSelector,
            },
          },
        );
        return { ...res.body, items: res.body.items ?? [] };
      },

      async list<T>(
        resource: KubeResource,
        opts: {
          namespace?: string;
          labelSelector?: string;
          fieldSelector?: string;
        } = {},
      ) {
        try {
          const list = await client.listObject(resource, opts);
          return list.items as T[];
        } catch (e) {
          // The CRD is not installed: there are no such objects.
          if (e instanceof KubeNotFoundError) return [];
          throw e;
        }
      },

      async create<T>(
        resource: KubeResource,
        namespace: string | undefined,
        body: object,
        opts: { dryRun?: 'All'; fieldManager?: string } = {},
      ) {
        const name = (body as KubeManifest).metadata?.name ?? '(new)';
        const res = await call<T>(
          describeObject(resource, namespace, name),
          true,
          HttpMethod.POST,
          resourcePath(resource, namespace),
          {
            query: { dryRun: opts.dryRun, fieldManager: opts.fieldManager },
            body,
          },
        );
        return res.body;
      },

      async replace<T>(
        resource: KubeResource,
        namespace: string | undefined,
        name: string,
        body: object,
        opts: {
          dryRun?: 'All';
          fieldManager?: string;
          subresource?: string;
        } = {},
      ) {
        const what = describeObject(resource, namespace, name);
        try {
          const res = await call<T>(
            what,
            true,
            HttpMethod.PUT,
            resourcePath(resource, namespace, name, opts.subresource),
            {
              query: { dryRun: opts.dryRun, fieldManager: opts.fieldManager },
              body,
            },
          );
          return res.body;
        } catch (e) {
          if (e instanceof KubeConflictError)
            throw changedError(what, e.kubeStatus);
          throw e;
        }
      },

      async delete(
        resource: KubeResource,
        namespace: string | undefined,
        name: string,
        opts: {
          propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
        } = {},
      ) {
        try {
          await call(
            describeObject(resource, namespace, name),
            true,
            HttpMethod.DELETE,
            resourcePath(resource, namespace, name),
            {
              query: { propagationPolicy: opts.propagationPolicy },
            },
          );
          return true;
        } catch (e) {
          if (e instanceof KubeNotFoundError) return false;
          throw e;
        }
      },

      async jsonPatch<T>(
        resource: KubeResource,
        namespace: string | undefined,
        name: string,
        operations: JsonPatchOperation[],
        opts: {
          dryRun?: 'All';
          fieldManager?: string;
          subresource?: string;
        } = {},
      ) {
        const what = describeObject(resource, namespace, name);
        try {
          const res = await call<T>(
            what,
            true,
            HttpMethod.PATCH,
            resourcePath(resource, namespace, name, opts.subresource),
            {
              query: { dryRun: opts.dryRun, fieldManager: opts.fieldManager },
              body: operations,
              contentType: PatchStrategy.JsonPatch,
            },
          );
          return res.body;
        } catch (e) {
          if (e instanceof KubeConflictError)
            throw changedError(what, e.kubeStatus);
          // A failed `test` is a bare 422 "Invalid", like any other patch the
          // apiserver cannot apply: the object's resourceVersion tells them apart.
          const guard = operations.find(
            o => o.op === 'test' && o.path === '/metadata/resourceVersion',
          );
          if (
            e instanceof KubeApiError &&
            e.kubeStatus.status === 422 &&
            guard
          ) {
            const now = await client.get<KubernetesObject>(
              resource,
              namespace,
              name,
            );
            if (now.metadata?.resourceVersion !== guard.value) {
              throw changedError(what, e.kubeStatus);
            }
          }
          throw e;
        }
      },

      async mergePatch<T>(
        resource: KubeResource,
        namespace: string | undefined,
        name: string,
        patch: object,
        opts: {
          dryRun?: 'All';
          fieldManager?: string;
          subresource?: string;
        } = {},
      ) {
        const what = describeObject(resource, namespace, name);
        try {
          const res = await call<T>(
            what,
            true,
            HttpMethod.PATCH,
            resourcePath(resource, namespace, name, opts.subresource),
            {
              query: { dryRun: opts.dryRun, fieldManager: opts.fieldManager },
              body: patch,
              contentType: PatchStrategy.MergePatch,
            },
          );
          return res.body;
        } catch (e) {
          if (e instanceof KubeConflictError)
            throw changedError(what, e.kubeStatus);
          throw e;
        }
      },

      async discover(
        apiVersion,
        kind,
      ): Promise<DiscoveredResource | undefined> {
        let found;
        try {
          found = await objectCall(`Discovery of ${apiVersion}`, false, () =>
            objects.discover(apiVersion, kind),
          );
        } catch (e) {
          // The group version is not served at all.
          if (e instanceof KubeNotFoundError) return undefined;
          throw e;
        }
        if (!found) return undefined;
        return {
          resource: manifestResource(apiVersion, found.name),
          namespaced: found.namespaced,
        };
      },

      async read<T extends KubernetesObject>(manifest: KubeManifest) {
        const { kind, metadata } = manifest;
        const what = `${kind} ${
          metadata.namespace ? `${metadata.namespace}/` : ''
        }${metadata.name}`;
        await requireServed(manifest);
        try {
          return (await objectCall(what, false, () =>
            objects.read({
              apiVersion: manifest.apiVersion,
              kind,
              metadata: { name: metadata.name, namespace: metadata.namespace },
            }),
          )) as T;
        } catch (e) {
          if (e instanceof KubeNotFoundError) return undefined;
          throw e;
        }
      },

      async apply<T extends KubernetesObject>(
        manifest: KubeManifest,
        opts: {
          fieldManager: string;
          force?: boolean;
          dryRun?: 'All';
          subresource?: string;
          fieldValidation?: 'Strict' | 'Warn' | 'Ignore';
        },
      ) {
        const { kind, metadata } = manifest;
        const what = `${kind} ${
          metadata.namespace ? `${metadata.namespace}/` : ''
        }${metadata.name}${opts.subresource ? ` ${opts.subresource}` : ''}`;
        const served = await requireServed(manifest);
        if (opts.subresource || opts.fieldValidation) {
          // The object API has neither subresources nor field validation:
          // the same apply, by path.
          const res = await call<T>(
            what,
            true,
            HttpMethod.PATCH,
            resourcePath(
              served.resource,
              served.namespaced ? metadata.namespace : undefined,
              metadata.name,
              opts.subresource,
            ),
            {
              query: {
                fieldManager: opts.fieldManager,
                force: opts.force ? 'true' : undefined,
                dryRun: opts.dryRun,
                fieldValidation: opts.fieldValidation,
              },
              body: manifest,
              contentType: PatchStrategy.ServerSideApply,
            },
          );
          return res.body;
        }
        return (await objectCall<unknown>(what, true, () =>
          objects.patch(
            manifest,
            undefined,
            opts.dryRun,
            opts.fieldManager,
            opts.force,
            PatchStrategy.ServerSideApply,
          ),
        )) as T;
      },

      watch(resource, watchOptions) {
        return new InformerWatch(
          clusterName,
          kubeConfig,
          resource,
          () =>
            client.listObject(resource, {
              labelSelector: watchOptions.labelSelector,
            }),
          watchOptions,
        );
      },

      async request({ method, path, query, body, contentType }) {
        return send(method as HttpMethod, path, { query, body, contentType });
      },
    };

    /** The object API would only say "Unrecognized API version and kind". */
    async function requireServed(
      manifest: KubeManifest,
    ): Promise<DiscoveredResource> {
      const served = await client.discover(manifest.apiVersion, manifest.kind);
      if (!served) {
        throw new KubeNotFoundError(
          `${manifest.kind} of ${manifest.apiVersion} is not served by cluster '${clusterName}'; is its CRD installed?`,
          { status: 404, reason: 'NotFound' },
        );
      }
      return served;
    }

    return client;
  }
}
