import type {
  AuthService,
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  makeValidator,
  parseEntityRef,
  RELATION_MEMBER_OF,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { InputError, NotAllowedError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { mlPlatformAnyOwnerPermission } from '@mlplatform/plugin-ml-platform-common';

/**
 * The services the owner check reads with: the user's groups from the
 * catalog, the permission that lifts the limit.
 * @public
 */
export interface OwnerCheckServices {
  auth: AuthService;
  catalog: CatalogService;
  permissions: PermissionsService;
}

/** An owner that passed the check. */
export interface CheckedOwner {
  /** The full entity reference, e.g. `group:default/fraud-ml`. */
  ref: string;
  /** The entity's name, e.g. `fraud-ml`. */
  name: string;
}

const OWNER_KINDS = ['group', 'user'];
const validator = makeValidator();

function parseOwner(owner: string) {
  const invalid = (why: string) =>
    new InputError(`owner '${owner}' is not an entity reference: ${why}`);
  let ref;
  try {
    ref = parseEntityRef(owner.trim(), {
      defaultKind: 'group',
      defaultNamespace: 'default',
    });
  } catch (e) {
    throw invalid(String(e));
  }
  if (!validator.isValidNamespace(ref.namespace)) {
    throw invalid(`'${ref.namespace}' is no valid namespace`);
  }
  if (!validator.isValidEntityName(ref.name)) {
    throw invalid(`'${ref.name}' is no valid entity name`);
  }
  if (!OWNER_KINDS.includes(ref.kind.toLocaleLowerCase('en-US'))) {
    throw new InputError(
      `owner '${owner}' is a ${ref.kind}; a service is owned by a group or a user`,
    );
  }
  return ref;
}

const normalized = (ref: string) => ref.toLocaleLowerCase('en-US');

/**
 * Checks that the person a task runs for may create a service owned by
 * `owner`, against the catalog as that person: the owner must be one of
 * their own groups (or themselves), unless the permission policy grants
 * them `ml-platform.scaffolder.any-owner` (the platform team). Throws
 * `NotAllowedError` saying why otherwise, and `InputError` for an owner
 * that is no group or user of the catalog.
 */
export async function checkOwner(
  services: OwnerCheckServices,
  credentials: BackstageCredentials,
  owner: string,
): Promise<CheckedOwner> {
  const { auth, catalog, permissions } = services;
  const parsed = parseOwner(owner);
  const ref = stringifyEntityRef(parsed);
  const entity = await catalog.getEntityByRef(ref, { credentials });
  if (!entity) {
    throw new InputError(`owner ${ref} is not in the catalog`);
  }
  const checked = {
    ref: stringifyEntityRef(entity),
    name: entity.metadata.name,
  };

  const [decision] = await permissions.authorize(
    [{ permission: mlPlatformAnyOwnerPermission }],
    { credentials },
  );
  if (decision.result === AuthorizeResult.ALLOW) return checked;

  if (!auth.isPrincipal(credentials, 'user')) {
    throw new NotAllowedError(
      `Only a signed-in user may create a service for ${ref}`,
    );
  }
  const userRef = credentials.principal.userEntityRef;
  const user = await catalog.getEntityByRef(userRef, { credentials });
  const groups = (user?.relations ?? [])
    .filter(r => r.type === RELATION_MEMBER_OF)
    .map(r => r.targetRef);
  const own = [userRef, ...groups].map(normalized);
  if (own.includes(normalized(checked.ref))) return checked;

  throw new NotAllowedError(
    `${userRef} may not create a service owned by ${
      checked.ref
    }: it is not one of their groups (${
      groups.join(', ') || 'none'
    }). Choose a group you are a member of; only those the permission policy grants ${
      mlPlatformAnyOwnerPermission.name
    } may choose any owner.`,
  );
}
