import type { Config } from '@backstage/config';

/** `mlPlatform.scaffolder.apply`: what templates may apply where. */
export interface ApplyConfig {
  /** Undefined: any namespace. */
  allowedNamespaces?: string[];
}

export function readApplyConfig(config: Config): ApplyConfig {
  return {
    allowedNamespaces: config.getOptionalStringArray(
      'mlPlatform.scaffolder.apply.allowedNamespaces',
    ),
  };
}
