import {
  DefaultNamespaceEntityPolicy,
  Entity,
  EntityPolicies,
  FieldFormatEntityPolicy,
  NoForeignRootFieldsEntityPolicy,
  SchemaValidEntityPolicy,
  apiEntityV1alpha1Validator,
  componentEntityV1alpha1Validator,
} from '@backstage/catalog-model';
import yaml from 'yaml';

const policy = EntityPolicies.allOf([
  new DefaultNamespaceEntityPolicy(),
  new NoForeignRootFieldsEntityPolicy(),
  new FieldFormatEntityPolicy(),
  new SchemaValidEntityPolicy(),
]);

const kindValidators: Record<string, (e: Entity) => Promise<boolean>> = {
  Component: e => componentEntityV1alpha1Validator.check(e),
  API: e => apiEntityV1alpha1Validator.check(e),
};

/** Resolves `$text` placeholders as the catalog does, from the repository's files. */
function resolvePlaceholders(value: unknown, files: Map<string, string>): any {
  if (Array.isArray(value))
    return value.map(v => resolvePlaceholders(v, files));
  if (value && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 1 && entries[0][0] === '$text') {
      const rel = String(entries[0][1]).replace(/^\.\//, '');
      const text = files.get(rel);
      if (text === undefined) {
        throw new Error(`$text ${rel} is not in the repository`);
      }
      return text;
    }
    return Object.fromEntries(
      entries.map(([k, v]) => [k, resolvePlaceholders(v, files)]),
    );
  }
  return value;
}

/**
 * Parses the catalog-info.yaml of rendered files and validates every entity
 * the way the catalog does when it ingests one: placeholders resolved, the
 * entity envelope and field formats, then the kind's own schema. Throws on
 * the first invalid entity; answers the entities as written.
 */
export async function validateCatalogInfo(
  files: Map<string, string>,
): Promise<Entity[]> {
  const entities = yaml
    .parseAllDocuments(files.get('catalog-info.yaml') ?? '')
    .map(d => d.toJS() as Entity);
  for (const written of entities) {
    const entity = resolvePlaceholders(written, files) as Entity;
    const checked = await policy.enforce(entity);
    if (!checked) throw new Error(`policy rejected ${entity.metadata?.name}`);
    const validator = kindValidators[entity.kind];
    if (!validator) throw new Error(`unexpected kind ${entity.kind}`);
    await validator(checked);
  }
  return entities;
}
