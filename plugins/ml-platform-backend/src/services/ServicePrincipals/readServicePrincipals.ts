import type { Config } from '@backstage/config';
import { mlPlatformPermissions } from '@mlplatform/plugin-ml-platform-common';

/** Which permissions of this plugin each named service subject may use. */
export type ServicePrincipalGrants = ReadonlyMap<string, ReadonlySet<string>>;

/**
 * The catalog module's entity provider and the search module's collator
 * read the model list with their plugin's own service credentials, and
 * nothing else.
 */
const BUILT_IN: ReadonlyArray<{ subject: string; permissions: string[] }> = [
  { subject: 'plugin:catalog', permissions: ['ml-platform.model.read'] },
  { subject: 'plugin:search', permissions: ['ml-platform.model.read'] },
];

/**
 * Reads `mlPlatform.servicePrincipals`: the service subjects (the `subject`
 * of a static `backend.auth.externalAccess` token, `external:...` of a JWKS
 * one, `plugin:<id>` of another plugin)
 * that may call this plugin, each with the permissions it may use. Throws on
 * a permission this plugin does not define, so that a typo fails the start
 * rather than silently granting nothing.
 */
export function readServicePrincipals(config: Config): ServicePrincipalGrants {
  const known = new Set(mlPlatformPermissions.map(p => p.name));
  const grants = new Map<string, Set<string>>();
  const add = (subject: string, permissions: string[]) => {
    for (const name of permissions) {
      if (!known.has(name)) {
        throw new Error(
          `mlPlatform.servicePrincipals '${subject}': unknown permission '${name}'; expected one of ${[
            ...known,
          ].join(', ')}`,
        );
      }
    }
    grants.set(
      subject,
      new Set([...(grants.get(subject) ?? []), ...permissions]),
    );
  };
  for (const entry of BUILT_IN) add(entry.subject, entry.permissions);
  for (const entry of config.getOptionalConfigArray(
    'mlPlatform.servicePrincipals',
  ) ?? []) {
    add(entry.getString('subject'), entry.getStringArray('permissions'));
  }
  return grants;
}
