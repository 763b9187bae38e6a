import type { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';

const KEY = 'mlPlatform.scaffolder.apply';

/**
 * The kinds the templates produce, as `<apiVersion>/<kind>`: a template
 * cannot apply a RoleBinding, a Secret or a ServiceAccount through the
 * portal's credentials.
 */
const DEFAULT_ALLOWED_KINDS = [
  'apps/v1/Deployment',
  'v1/Service',
  'gateway.networking.k8s.io/v1/HTTPRoute',
  'argoproj.io/v1alpha1/Rollout',
];

/** `mlPlatform.scaffolder.apply`: what templates may apply where. */
export interface ApplyConfig {
  /** Undefined when not configured: the action then refuses to apply. */
  allowedNamespaces?: string[];
  allowedKinds: string[];
}

export function readApplyConfig(config: Config): ApplyConfig {
  return {
    allowedNamespaces: config.getOptionalStringArray(
      `${KEY}.allowedNamespaces`,
    ),
    allowedKinds:
      config.getOptionalStringArray(`${KEY}.allowedKinds`) ??
      DEFAULT_ALLOWED_KINDS,
  };
}

/**
 * Refuses a namespace the configuration does not list. Without a list the
 * action applies nowhere: the portal's credentials reach every namespace its
 * RBAC binds, so the site must say which ones templates may write to.
 */
export function checkNamespaceAllowed(
  applyConfig: ApplyConfig,
  namespace: string,
) {
  const { allowedNamespaces } = applyConfig;
  if (!allowedNamespaces) {
    throw new InputError(
      `${KEY}.allowedNamespaces is not configured: list the namespaces templates may apply to. Nothing was applied.`,
    );
  }
  if (!allowedNamespaces.includes(namespace)) {
    throw new InputError(
      `Templates may not apply to namespace '${namespace}'; allowed: ${
        allowedNamespaces.join(', ') || 'none'
      }`,
    );
  }
}
