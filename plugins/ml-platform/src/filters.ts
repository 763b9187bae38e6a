import { Entity } from '@backstage/catalog-model';
import { ML_PLATFORM_ANNOTATIONS } from '@mlplatform/plugin-ml-platform-common';

/**
 * Whether an entity is tied to a registered model, and so gets the model tab.
 * @public
 */
export const isMlModelEntity = (entity: Entity): boolean =>
  Boolean(
    entity.metadata.annotations?.[ML_PLATFORM_ANNOTATIONS.registeredModel],
  );
