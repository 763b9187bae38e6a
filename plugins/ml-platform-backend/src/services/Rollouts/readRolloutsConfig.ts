import type { Config } from '@backstage/config';
import {
  readSafetyGatePolicy,
  type SafetyGatePolicy,
} from '@mlplatform/plugin-ml-platform-common';

/** The `mlPlatform.rollouts` config section. */
export interface RolloutsConfig {
  /** Where versions whose verdict is not `safe` may still get traffic. */
  safetyPolicy: SafetyGatePolicy;
  /** Clusters where objects managed by Argo CD or Flux may be written directly. */
  gitOpsWritableClusters: Set<string>;
}

export function readRolloutsConfig(config: Config): RolloutsConfig {
  const section = config.getOptionalConfig('mlPlatform.rollouts');
  const clusters = section?.getOptionalConfigArray('clusters') ?? [];
  return {
    safetyPolicy: readSafetyGatePolicy(config),
    gitOpsWritableClusters: new Set(
      clusters
        .filter(c => c.getOptionalBoolean('allowGitOpsManaged') ?? false)
        .map(c => c.getString('name')),
    ),
  };
}
