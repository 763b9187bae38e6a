import {
  CompoundEntityRef,
  Entity,
  RELATION_DEPENDENCY_OF,
  RELATION_DEPENDS_ON,
  RELATION_PROVIDES_API,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';

export interface InferenceChainParts {
  pre: CompoundEntityRef[];
  post: CompoundEntityRef[];
  apis: CompoundEntityRef[];
}

const hasTag = (entity: Entity | undefined, tag: string) =>
  entity?.metadata.tags?.includes(tag) ?? false;

/**
 * Splits the components related to a model into the services before it and
 * after it. A `preprocessing` or `postprocessing` tag decides; otherwise what
 * the model depends on runs before it (it needs the features first) and what
 * depends on the model runs after it (it consumes the model's output).
 */
export function classifyRelated(
  model: Entity,
  related: Map<string, Entity>,
): InferenceChainParts {
  const parts: InferenceChainParts = { pre: [], post: [], apis: [] };
  const seen = new Set<string>();
  for (const relation of model.relations ?? []) {
    const ref = parseEntityRef(relation.targetRef);
    const key = stringifyEntityRef(ref);
    if (relation.type === RELATION_PROVIDES_API) {
      parts.apis.push(ref);
      continue;
    }
    const isDependency = relation.type === RELATION_DEPENDS_ON;
    if (
      (!isDependency && relation.type !== RELATION_DEPENDENCY_OF) ||
      ref.kind.toLocaleLowerCase('en-US') !== 'component' ||
      seen.has(key)
    ) {
      continue;
    }
    seen.add(key);
    const entity = related.get(key);
    if (hasTag(entity, 'postprocessing')) {
      parts.post.push(ref);
    } else if (hasTag(entity, 'preprocessing') || isDependency) {
      parts.pre.push(ref);
    } else {
      parts.post.push(ref);
    }
  }
  return parts;
}
