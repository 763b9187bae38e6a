import type { KubeResource } from '@mlplatform/plugin-ml-platform-node';

/** Argo Rollouts' Rollout. */
export const ROLLOUTS: KubeResource & { kind: string } = {
  group: 'argoproj.io',
  version: 'v1alpha1',
  plural: 'rollouts',
  kind: 'Rollout',
};
