import {
  MODEL_DEPLOYMENTS,
  MODEL_SERVICES,
  type WatchedResource,
} from '@mlplatform/plugin-ml-platform-node';

/** The routing object: a Service of a model, in front of its version Deployments. */
export const MODEL_SERVICE_OBJECT: WatchedResource & { kind: string } = {
  ...MODEL_SERVICES,
  kind: 'Service',
};

export { MODEL_DEPLOYMENTS };
