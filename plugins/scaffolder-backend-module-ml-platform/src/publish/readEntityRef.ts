import fs from 'node:fs/promises';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import yaml from 'yaml';

/**
 * The entity a catalog-info.yaml is about: its Component, or its only entity
 * (a processing service's file also holds its API).
 */
export async function readEntityRef(catalogInfoPath: string): Promise<string> {
  const text = await fs.readFile(catalogInfoPath, 'utf8').catch(() => {
    throw new InputError(
      `The new repository has no catalog-info.yaml at its root`,
    );
  });
  const entities = yaml
    .parseAllDocuments(text)
    .map(d => d.toJSON())
    .filter(e => e && typeof e === 'object');
  const entity =
    entities.find(e => e.kind === 'Component') ??
    (entities.length === 1 ? entities[0] : undefined);
  if (!entity?.kind || !entity.metadata?.name) {
    throw new InputError(
      'catalog-info.yaml has no Component with a metadata.name',
    );
  }
  return stringifyEntityRef({
    kind: entity.kind,
    namespace: entity.metadata.namespace,
    name: entity.metadata.name,
  });
}
