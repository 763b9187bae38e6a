import type {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef, type Entity } from '@backstage/catalog-model';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  ML_PLATFORM_ANNOTATIONS,
  mlPlatformRolloutPermission,
  parseRegisteredModelRef,
} from '@mlplatform/plugin-ml-platform-common';

const annotation = ML_PLATFORM_ANNOTATIONS.registeredModel;

/**
 * The catalog entities that stand for a model, best match first: those
 * naming `<registry>/<model>` before those naming the bare model name, which
 * claims the name in every registry. Without a registry id, a model named
 * with different registry ids is ambiguous.
 */
async function findModelEntities(options: {
  catalog: CatalogService;
  credentials: BackstageCredentials;
  model: string;
  registryId?: string;
}): Promise<Entity[]> {
  const { catalog, credentials, model, registryId } = options;
  // Without a registry id the annotations to look for are unknown in
  // advance (`<any registry>/<model>`), so every annotated entity is read;
  // only the few fields needed, once per request.
  const { items } = await catalog.getEntities(
    {
      filter: {
        [`metadata.annotations.${annotation}`]: registryId
          ? [`${registryId}/${model}`, model]
          : CATALOG_FILTER_EXISTS,
      },
      fields: [
        'kind',
        'metadata.namespace',
        'metadata.name',
        'metadata.annotations',
      ],
    },
    { credentials },
  );

  const qualified = new Map<string, Entity[]>();
  const bare: Entity[] = [];
  for (const entity of items) {
    let ref;
    try {
      ref = parseRegisteredModelRef(entity.metadata.annotations?.[annotation]!);
    } catch {
      continue; // the catalog module rejects such entities
    }
    if (ref.name !== model) continue;
    if (!ref.registryId) {
      bare.push(entity);
    } else if (!registryId || ref.registryId === registryId) {
      qualified.set(ref.registryId, [
        ...(qualified.get(ref.registryId) ?? []),
        entity,
      ]);
    }
  }

  if (registryId) {
    return [...(qualified.get(registryId) ?? []), ...bare];
  }
  if (bare.length > 0) {
    return bare;
  }
  if (qualified.size > 1) {
    throw new InputError(
      `Model '${model}' is named by catalog entities of registries ${[
        ...qualified.keys(),
      ].join(', ')}: give registryId`,
    );
  }
  return [...qualified.values()].flat();
}

/**
 * Decides whether the caller may change the traffic of a model: the
 * resource permission `ml-platform.rollout.execute` on the model's catalog
 * entity, which the backend finds itself (the entity whose
 * `ml-platform.io/registered-model` annotation names the model, or the
 * `ml-model` Resource the catalog module emits for it) so that a client
 * cannot point the check at an entity it owns.
 *
 * Rejects with NotFoundError when no entity names the model and with
 * NotAllowedError when the policy denies. When several entities name the
 * same model at the same level, the caller needs the permission on each,
 * so that a second, differently owned entity cannot widen who may act.
 */
export async function authorizeRollout(options: {
  permissions: PermissionsService;
  catalog: CatalogService;
  credentials: BackstageCredentials;
  model: string;
  registryId?: string;
}): Promise<{ entityRef: string }> {
  const { permissions, credentials, model, registryId } = options;
  const entities = await findModelEntities(options);
  if (entities.length === 0) {
    throw new NotFoundError(
      `No catalog entity names model '${model}'${
        registryId ? ` of registry '${registryId}'` : ''
      } with the ${annotation} annotation`,
    );
  }

  // Same-level matches only: the best level is the first entity's.
  const best = entities[0];
  const level = (e: Entity) =>
    e.metadata.annotations?.[annotation]?.includes('/') ? 0 : 1;
  const refs = [
    ...new Set(
      entities
        .filter(e => level(e) === level(best))
        .map(e => stringifyEntityRef(e)),
    ),
  ].sort();

  const decisions = await permissions.authorize(
    refs.map(resourceRef => ({
      permission: mlPlatformRolloutPermission,
      resourceRef,
    })),
    { credentials },
  );
  const denied = refs.filter(
    (_, i) => decisions[i].result !== AuthorizeResult.ALLOW,
  );
  if (denied.length > 0) {
    throw new NotAllowedError(
      `Not allowed to change the traffic of model '${model}': permission ${
        mlPlatformRolloutPermission.name
      } denied on ${denied.join(', ')}`,
    );
  }
  return { entityRef: refs[0] };
}
