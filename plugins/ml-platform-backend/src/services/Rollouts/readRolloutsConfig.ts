import type { Config } from '@backstage/config';

/** The `mlPlatform.rollouts` config section. */
export interface RolloutsConfig {
  /** Whether versions serialized with pickle may get traffic. */
  allowUnsafeVersions: boolean;
  /** Clusters where objects managed by Argo CD or Flux may be written directly. */
  gitOpsWritableClusters: Set<string>;
}

export function readRolloutsConfig(config: Config): RolloutsConfig {
  const section = config.getOptionalConfig('mlPlatform.rollouts');
  const clusters = section?.getOptionalConfigArray('clusters') ?? [];
  return {
    allowUnsafeVersions:
      section?.getOptionalBoolean('allowUnsafeVersions') ?? false,
    gitOpsWritableClusters: new Set(
      clusters
        .filter(c => c.getOptionalBoolean('allowGitOpsManaged') ?? false)
        .map(c => c.getString('name')),
    ),
  };
}
