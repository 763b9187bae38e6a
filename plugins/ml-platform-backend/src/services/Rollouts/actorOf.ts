import type { BackstageCredentials } from '@backstage/backend-plugin-api';

/** Who the audit trail names: a user's entity ref, or the calling service. */
export function actorOf(credentials: BackstageCredentials): string {
  const principal = credentials.principal as {
    userEntityRef?: string;
    subject?: string;
  };
  if (principal.userEntityRef) return principal.userEntityRef;
  return principal.subject ? `service:${principal.subject}` : 'unknown';
}
