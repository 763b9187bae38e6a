import { Entity } from '@backstage/catalog-model';
import {
  ML_PLATFORM_ANNOTATIONS,
  ML_PLATFORM_LABELS,
} from '@mlplatform/plugin-ml-platform-common';

/**
 * Whether an entity is tied to a registered model, and so gets the model tab.
 * @public
 */
export const isMlModelEntity = (entity: Entity): boolean =>
  Boolean(
    entity.metadata.annotations?.[ML_PLATFORM_ANNOTATIONS.registeredModel],
  );

/**
 * Whether an entity stands for an ML tool (its `ml-platform.io/tool`
 * annotation names the type, e.g. `mlflow`), and so gets the tool card.
 * @public
 */
export const isMlToolEntity = (entity: Entity): boolean =>
  Boolean(entity.metadata.annotations?.[ML_PLATFORM_LABELS.tool]);
