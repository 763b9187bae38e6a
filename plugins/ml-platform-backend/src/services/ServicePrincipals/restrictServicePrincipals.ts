import type {
  BackstageCredentials,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  AuthorizeResult,
  type Permission,
} from '@backstage/plugin-permission-common';
import type { ServicePrincipalGrants } from './readServicePrincipals';

/** The subject of a service principal; undefined for users and anonymous callers. */
export function serviceSubjectOf(
  credentials: BackstageCredentials,
): string | undefined {
  const principal = credentials.principal as {
    type?: string;
    subject?: string;
  };
  return principal.type === 'service' ? principal.subject ?? '' : undefined;
}

/**
 * The permissions service as this plugin uses it: users are decided by the
 * permission policy as usual, but a service principal, which Backstage
 * allows everything its access restrictions do not forbid and which never
 * reaches a policy, gets only what `mlPlatform.servicePrincipals` grants
 * its subject. Every check of the plugin goes through here, so no route or
 * action can forget it.
 */
export function restrictServicePrincipals(
  permissions: PermissionsService,
  grants: ServicePrincipalGrants,
  logger: LoggerService,
): PermissionsService {
  const denied = (
    credentials: BackstageCredentials,
    permission: Permission,
  ): boolean => {
    const subject = serviceSubjectOf(credentials);
    if (subject === undefined) return false;
    if (grants.get(subject)?.has(permission.name)) return false;
    logger.warn(
      `Refused ${permission.name} to service '${subject}': it is not granted to it in mlPlatform.servicePrincipals`,
    );
    return true;
  };

  return {
    async authorize(requests, options) {
      const decisions = await permissions.authorize(requests, options);
      return decisions.map((decision, i) =>
        denied(options.credentials, requests[i].permission)
          ? { result: AuthorizeResult.DENY }
          : decision,
      );
    },
    async authorizeConditional(requests, options) {
      const decisions = await permissions.authorizeConditional(
        requests,
        options,
      );
      return decisions.map((decision, i) =>
        denied(options.credentials, requests[i].permission)
          ? { result: AuthorizeResult.DENY }
          : decision,
      );
    },
  };
}
