import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { ConflictError, NotFoundError } from '@backstage/errors';
import { describeKubeError } from '../../ModelDeployments/describeKubeError';
import type { CustomKind } from '../../../lib/customKinds';
import type { JsonPatchOperation, KubeClient } from './KubeClient';

/** Attempts of a call that could not reach the apiserver at all, e.g. during its restart. */
const CONNECT_ATTEMPTS = 4;
const CONNECT_BACKOFF_MS = 500;

/** A read may be sent again after any broken connection. */
const READ_RETRY = /ECONNREFUSED|ECONNRESET|socket hang up/;
/** A write only when the connection was refused: then it never reached the apiserver. */
const WRITE_RETRY = /ECONNREFUSED/;

function matches(error: unknown, pattern: RegExp): boolean {
  const text = `${(error as Error)?.message ?? ''} ${
    (error as { cause?: Error })?.cause?.message ?? ''
  }`;
  return pattern.test(text);
}

/** Retries a call while the apiserver cannot be reached, e.g. during its restart. */
async function reach<T>(
  call: () => Promise<T>,
  retryOn: RegExp = READ_RETRY,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (e) {
      if (attempt >= CONNECT_ATTEMPTS || !matches(e, retryOn)) throw e;
      await new Promise(r => setTimeout(r, CONNECT_BACKOFF_MS * attempt));
    }
  }
}

function statusOf(error: unknown): number | undefined {
  return error instanceof ApiException ? error.code : undefined;
}

function describe(what: string, error: unknown): Error {
  const status = statusOf(error);
  if (status === 404) {
    return new NotFoundError(`${what} not found`);
  }
  return new Error(`${what}: ${describeKubeError(error)}`);
}

function changedError(what: string): ConflictError {
  return new ConflictError(
    `${what} changed since it was read; nothing was applied. Read it again and retry.`,
  );
}

/**
 * A {@link KubeClient} over `@kubernetes/client-node`, with the cluster's own
 * credentials from the `kubernetes` config section.
 */
export function createKubeClient(kubeConfig: KubeConfig): KubeClient {
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const apps = kubeConfig.makeApiClient(AppsV1Api);
  const name = (kind: CustomKind, namespace: string, n: string) =>
    `${kind.plural}.${kind.group} ${namespace}/${n}`;

  async function getCustom<T>(kind: CustomKind, namespace: string, n: string) {
    try {
      return (await reach(() =>
        custom.getNamespacedCustomObject({ ...kind, namespace, name: n }),
      )) as T;
    } catch (e) {
      throw describe(name(kind, namespace, n), e);
    }
  }

  return {
    getCustom,

    async listCustom<T>(kind: CustomKind, namespace?: string) {
      try {
        const list = await reach(() =>
          namespace
            ? custom.listNamespacedCustomObject({ ...kind, namespace })
            : custom.listClusterCustomObject(kind),
        );
        return (list.items ?? []) as T[];
      } catch (e) {
        // The CRD is not installed: there are no such objects.
        if (statusOf(e) === 404) return [];
        throw describe(`Listing ${kind.plural}.${kind.group}`, e);
      }
    },

    async listServices(namespace, labelSelector) {
      try {
        return (
          await reach(() =>
            core.listNamespacedService({ namespace, labelSelector }),
          )
        ).items;
      } catch (e) {
        throw describe(`Listing services in ${namespace}`, e);
      }
    },

    async listReplicaSets(namespace, labelSelector) {
      try {
        return (
          await reach(() =>
            apps.listNamespacedReplicaSet({ namespace, labelSelector }),
          )
        ).items;
      } catch (e) {
        throw describe(`Listing replicasets in ${namespace}`, e);
      }
    },

    async listDeployments(namespace, labelSelector) {
      try {
        return (
          await reach(() =>
            apps.listNamespacedDeployment({ namespace, labelSelector }),
          )
        ).items;
      } catch (e) {
        throw describe(`Listing deployments in ${namespace}`, e);
      }
    },

    async jsonPatch<T>(
      kind: CustomKind,
      namespace: string,
      n: string,
      operations: JsonPatchOperation[],
    ) {
      const what = name(kind, namespace, n);
      try {
        return (await reach(
          () =>
            custom.patchNamespacedCustomObject(
              { ...kind, namespace, name: n, body: operations },
              setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
            ),
          WRITE_RETRY,
        )) as T;
      } catch (e) {
        // A failed `test` is a bare 422 "Invalid", like any other patch the
        // apiserver cannot apply: the object's resourceVersion tells them apart.
        const guard = operations.find(
          o => o.op === 'test' && o.path === '/metadata/resourceVersion',
        );
        if (statusOf(e) === 422 && guard) {
          const now = await getCustom<{
            metadata?: { resourceVersion?: string };
          }>(kind, namespace, n);
          if (now.metadata?.resourceVersion !== guard.value) {
            throw changedError(what);
          }
        }
        if (statusOf(e) === 409) throw changedError(what);
        throw describe(what, e);
      }
    },

    async mergePatch<T>(
      kind: CustomKind,
      namespace: string,
      n: string,
      patch: object,
      subresource?: 'status',
    ) {
      const what = name(kind, namespace, n);
      const options = setHeaderOptions(
        'Content-Type',
        PatchStrategy.MergePatch,
      );
      const request = { ...kind, namespace, name: n, body: patch };
      try {
        return (await reach(
          () =>
            subresource === 'status'
              ? custom.patchNamespacedCustomObjectStatus(request, options)
              : custom.patchNamespacedCustomObject(request, options),
          WRITE_RETRY,
        )) as T;
      } catch (e) {
        if (statusOf(e) === 409) throw changedError(what);
        throw describe(what, e);
      }
    },
  };
}
