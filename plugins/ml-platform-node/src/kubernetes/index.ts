export * from './readClusters';
export { kubeConfigFor, WATCH_CONNECT_TIMEOUT_MS } from './kubeConfigFor';
export { createKubeClient } from './createKubeClient';
export type { CreateKubeClientOptions } from './createKubeClient';
export type * from './KubeClient';
export {
  describeKubeError,
  KubeApiError,
  KubeConflictError,
  KubeNotFoundError,
  kubeStatusOf,
  KubeTimeoutError,
  KubeUnreachableError,
} from './kubeErrors';
export type { KubeStatus } from './kubeErrors';
export { DEFAULT_KUBE_REQUEST_POLICY } from './requestPolicy';
export type { KubeRequestPolicy } from './requestPolicy';
export { describeObject, resourcePath } from './resourcePath';
export type {
  ResourceWatch,
  ResourceWatchOptions,
  WatchRetryOptions,
  WatchState,
} from './ResourceWatch';
export * from './kubernetesClusters';
