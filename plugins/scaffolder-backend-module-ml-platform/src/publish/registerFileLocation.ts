import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';

/** The catalog's own error, whether thrown in-process or answered over HTTP. */
function catalogError(e: unknown): { name?: string; message: string } {
  const error = e as {
    name?: string;
    message: string;
    body?: { error?: { name?: string; message?: string } };
  };
  return {
    name: error.body?.error?.name ?? error.name,
    message: error.body?.error?.message ?? error.message,
  };
}

/**
 * Registers a catalog-info.yaml as a `file` location as the given user. When
 * the location is already registered, e.g. on a re-run, refreshes the entity
 * instead so the catalog reads the file again.
 */
export async function registerFileLocation(options: {
  catalog: CatalogService;
  credentials: BackstageCredentials;
  target: string;
  entityRef: string;
}): Promise<'registered' | 'refreshed'> {
  const { catalog, credentials, target, entityRef } = options;
  const existing = await catalog.getLocationByRef(`file:${target}`, {
    credentials,
  });
  if (!existing) {
    try {
      await catalog.addLocation({ type: 'file', target }, { credentials });
      return 'registered';
    } catch (e) {
      const { name, message } = catalogError(e);
      // Registered in between by another run of the same template.
      if (name !== 'ConflictError') {
        throw new InputError(
          `The catalog refused to register ${target}: ${message}`,
        );
      }
    }
  }
  await catalog.refreshEntity(entityRef, { credentials });
  return 'refreshed';
}
